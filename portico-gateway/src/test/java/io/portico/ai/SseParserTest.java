package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static List<SseEvent> feed(SseParser parser, byte[]... pieces) throws Exception {
    List<SseEvent> out = new ArrayList<>();
    for (byte[] piece : pieces) {
      ByteBuf b = Unpooled.wrappedBuffer(piece);
      parser.feed(b, out);
      b.release();
    }
    return out;
  }

  @Test
  void readsEventsWhateverTheChunkingIncludingSplitCharactersAndCrlf() throws Exception {
    byte[] all =
        "event: message_start\r\ndata: {\"t\":\"h\u00e9\u6f22\"}\r\n\r\n: comment\n\ndata:a\ndata: b\n\n"
            .getBytes(StandardCharsets.UTF_8);
    // one byte at a time: every boundary, including inside multi-byte characters and CRLF
    byte[][] pieces = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      pieces[i] = Arrays.copyOfRange(all, i, i + 1);
    }

    List<SseEvent> events = feed(new SseParser(), pieces);

    assertThat(events)
        .containsExactly(
            new SseEvent("message_start", "{\"t\":\"h\u00e9\u6f22\"}"), new SseEvent(null, "a\nb"));
  }

  @Test
  void anEventWithoutItsBlankLineCountsAtTheEnd() throws Exception {
    SseParser parser = new SseParser();
    List<SseEvent> events = feed(parser, "data: [DONE]".getBytes(StandardCharsets.UTF_8));
    assertThat(events).isEmpty();

    parser.end(events);

    assertThat(events).containsExactly(new SseEvent(null, "[DONE]"));
  }

  @Test
  void refusesAnEndlessEvent() {
    byte[] big = new byte[SseParser.MAX_EVENT_SIZE + 1];
    Arrays.fill(big, (byte) 'x');

    assertThatThrownBy(() -> feed(new SseParser(), big)).isInstanceOf(SseParser.Malformed.class);
  }
}
