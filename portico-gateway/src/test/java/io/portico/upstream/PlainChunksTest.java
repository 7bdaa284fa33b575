package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chunked bodies read by the upstream codec itself ({@link PlainChunks}) beside Netty's decoder:
 * for whole bodies, bodies cut at every byte, pipelined responses, bad and huge sizes, extensions
 * and trailers, the heads, body bytes, trailers, failures and unread bytes are what Netty's {@code
 * HttpResponseDecoder} makes of the same bytes (how a body is cut into pieces may differ, and a
 * body that fails before its first byte fails its head).
 */
class PlainChunksTest {

  private static HttpDecoderConfig config() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(256)
        .setMaxHeaderSize(512)
        .setMaxChunkSize(64)
        .setValidateHeaders(true);
  }

  private static final String HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

  static final List<String> RESPONSES =
      List.of(
          HEAD + "d\r\nHello, World!\r\n0\r\n\r\n",
          HEAD + "0\r\n\r\n",
          HEAD + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
          HEAD + "3;name=value\r\nabc\r\n0;x\r\n\r\n",
          HEAD + "A\r\n0123456789\r\n00\r\n\r\n",
          HEAD + "a\r\n0123456789\r\n0\r\n\r\n",
          HEAD + "3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n",
          HEAD + "3\r\nabc\r\n0\r\nContent-Length: 5\r\nX-T: 2\r\n\r\n",
          HEAD + "3 \r\nabc\r\n0\r\n\r\n",
          HEAD + "3\nabc\r\n0\r\n\r\n",
          HEAD + "3\r\nabcX\r\n0\r\n\r\n",
          HEAD + "3\r\nabc\r\n0\r\n\r\nEXTRA",
          HEAD + "zz\r\nabc\r\n0\r\n\r\n",
          HEAD + "-1\r\nabc\r\n0\r\n\r\n",
          HEAD + "fffffffff\r\nabc\r\n0\r\n\r\n",
          HEAD + "7fffffff\r\nabc\r\n0\r\n\r\n",
          HEAD + "50\r\n" + "x".repeat(80) + "\r\n0\r\n\r\n",
          HEAD + "3;" + "e".repeat(300) + "\r\nabc\r\n0\r\n\r\n",
          HEAD + "3\r\nabc\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
              + "3\r\nabc\r\n0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n0\r\n\r\n",
          "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
          "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
          HEAD
              + "3\r\nabc\r\n0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"
              + HEAD
              + "1\r\nx\r\n0\r\n\r\n");

  @Test
  void decodesEveryChunkedResponseAsNettysDecoder() {
    for (String raw : RESPONSES) {
      assertSame(List.of(raw));
    }
    assertSame(List.of(String.join("", RESPONSES.subList(0, 6))));
  }

  @Test
  void decodesChunkedResponsesCutAnywhereAsNettysDecoder() {
    for (String raw :
        List.of(RESPONSES.get(2), RESPONSES.get(3), RESPONSES.get(6), RESPONSES.get(25))) {
      for (int cut = 1; cut < raw.length(); cut++) {
        assertSame(List.of(raw.substring(0, cut), raw.substring(cut)));
      }
    }
  }

  @Test
  void readsAWholePlainChunkedBodyItself() {
    EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(config()));
    ch.writeInbound(Unpooled.copiedBuffer(RESPONSES.get(0), StandardCharsets.ISO_8859_1));
    HttpResponse head = ch.readInbound();
    LastHttpContent end = ch.readInbound();
    try {
      assertThat(end).isInstanceOf(PlainBodyEnd.class);
      assertThat(end.content().toString(StandardCharsets.US_ASCII)).isEqualTo("Hello, World!");
      assertThat(head.headers().get("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(ch.pipeline().get(UpstreamCodec.class).unreadBytes()).isZero();
    } finally {
      end.release();
      ch.finishAndReleaseAll();
    }
  }

  private static void assertSame(List<String> parts) {
    List<String> ours = decode(new EmbeddedChannel(new UpstreamCodec(config())), parts);
    List<String> netty =
        decode(
            new EmbeddedChannel(
                new Reference(config().clone().setTrailersFactory(DeferredTrailers.FACTORY))),
            parts);
    assertThat(ours).as("%s", parts).isEqualTo(netty);
  }

  /** Heads, whole bodies with their trailers, failures, and the bytes left unread, as lines. */
  private static List<String> decode(EmbeddedChannel ch, List<String> parts) {
    for (String part : parts) {
      ch.writeInbound(Unpooled.copiedBuffer(part, StandardCharsets.ISO_8859_1));
    }
    List<String> lines = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    boolean afterHead = false;
    for (Object msg; (msg = ch.readInbound()) != null; ) {
      if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
        if (afterHead && msg instanceof HttpContent) {
          // the codec fails a head whose body fails before its first byte (a 502 for the client)
          lines.remove(lines.size() - 1);
        }
        lines.add("failure " + o.decoderResult().cause().getClass().getSimpleName());
      } else if (msg instanceof HttpResponse r) {
        lines.add(r.protocolVersion() + " " + r.status() + " " + r.headers().entries());
      } else if (msg instanceof HttpContent c) {
        body.append(ByteBufUtil.hexDump(c.content()));
        if (msg instanceof LastHttpContent last) {
          lines.add("body " + body + " " + last.trailingHeaders().entries());
          body.setLength(0);
        }
      }
      afterHead = msg instanceof HttpResponse;
      ReferenceCountUtil.release(msg);
    }
    if (body.length() > 0) {
      lines.add("partial " + body);
    }
    UpstreamCodec codec = ch.pipeline().get(UpstreamCodec.class);
    int unread = codec != null ? codec.unreadBytes() : ch.pipeline().get(Reference.class).unread();
    lines.add("unread " + unread);
    ch.finishAndReleaseAll();
    return lines;
  }

  private static final class Reference extends HttpResponseDecoder {
    Reference(HttpDecoderConfig config) {
      super(config);
    }

    int unread() {
      return actualReadableBytes();
    }
  }
}
