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
 * for whole bodies, bodies cut at every byte and at every pair of bytes, pipelined responses, many
 * chunks, bad and huge sizes, extensions and trailers, the heads, body bytes, trailers, failures
 * and unread bytes are what Netty's {@code HttpResponseDecoder} makes of the same bytes (how a body
 * is cut into pieces may differ, and a body that fails before its first byte fails its head). A
 * body the codec took fails on later bytes not of the strict form, where Netty's decoder is
 * lenient.
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
              + "1\r\nx\r\n0\r\n\r\n",
          HEAD + "1\r\na\r\n".repeat(20) + "0\r\n\r\n",
          HEAD
              + "4;ext=1\r\nabcd\r\n0\r\nX-Checksum:  abc \r\nTrailer: X\r\n"
              + "Transfer-Encoding: chunked\r\nx-count:2\r\nX-Checksum: def\r\n\r\n",
          HEAD + "2\r\nab\r\n0\r\nX-A: 1\r\n\r\n" + HEAD + "3\r\nxyz\r\n0\r\n\r\n",
          HEAD + "3\r\nabc\r\n0\r\nX-A: 1\r\n folded\r\n\r\n",
          HEAD + "3\r\nabc\r\n0\r\nX-Big: " + "v".repeat(600) + "\r\n\r\n");

  /** Responses whose chunked bodies are of the strict form: read by the codec when split. */
  static final List<Integer> STRICT = List.of(0, 1, 2, 3, 4, 5, 6, 7, 16, 25, 26, 27, 28);

  @Test
  void decodesEveryChunkedResponseAsNettysDecoder() {
    for (String raw : RESPONSES) {
      assertSame(List.of(raw));
    }
    assertSame(List.of(String.join("", RESPONSES.subList(0, 6))));
  }

  @Test
  void decodesChunkedResponsesCutAnywhereAsNettysDecoder() {
    for (int r : STRICT) {
      String raw = RESPONSES.get(r);
      for (int cut = 1; cut < raw.length(); cut++) {
        assertSame(List.of(raw.substring(0, cut), raw.substring(cut)));
      }
    }
  }

  @Test
  void decodesChunkedResponsesCutTwiceAsNettysDecoder() {
    for (int r : List.of(3, 26, 27)) {
      String raw = RESPONSES.get(r);
      for (int a = 1; a < raw.length(); a++) {
        for (int b = a + 1; b < raw.length(); b += 3) {
          assertSame(List.of(raw.substring(0, a), raw.substring(a, b), raw.substring(b)));
        }
      }
    }
  }

  @Test
  void readsASplitChunkedBodyWithTrailersItself() {
    EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(config()));
    try {
      ch.writeInbound(Unpooled.copiedBuffer(HEAD + "3\r\nabc\r\n", StandardCharsets.ISO_8859_1));
      ch.writeInbound(
          Unpooled.copiedBuffer("0\r\nX-Checksum: 1\r\n\r\n", StandardCharsets.ISO_8859_1));
      HttpResponse head = ch.readInbound();
      HttpContent piece = ch.readInbound();
      LastHttpContent end = ch.readInbound();
      try {
        assertThat(head.decoderResult().isSuccess()).isTrue();
        assertThat(piece.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(end).isInstanceOf(PlainBodyEnd.class);
        assertThat(end.trailingHeaders().get("X-Checksum")).isEqualTo("1");
        assertThat(ch.pipeline().get(UpstreamCodec.class).unreadBytes()).isZero();
      } finally {
        piece.release();
        end.release();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void failsATakenBodyWhoseLaterBytesAreNotOfTheStrictForm() {
    for (String rest :
        List.of(
            "3 \r\nabc\r\n0\r\n\r\n",
            "3\nabc\r\n0\r\n\r\n",
            "3\r\nabcX\r\n0\r\n\r\n",
            "ffffffff\r\n",
            "0\r\nX-A: 1\r\n folded\r\n\r\n",
            "0\r\nX-Big: " + "v".repeat(600) + "\r\n\r\n")) {
      List<String> lines =
          decode(
              new EmbeddedChannel(new UpstreamCodec(config())),
              List.of(HEAD + "3\r\nabc\r\n", rest, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
      // the head, the failure, the pieces before it; the next response is never read
      assertThat(lines).as(rest).hasSize(4);
      assertThat(lines.get(1)).as(rest).startsWith("failure ");
      assertThat(lines.get(2)).as(rest).startsWith("partial 616263");
      assertThat(lines.get(3)).as(rest).isEqualTo("unread 0");
    }
  }

  @Test
  void readsLaterSizeLinesWithExtensionsOrLeadingZerosAsNettysDecoder() {
    for (String rest :
        List.of(
            "3;name=value\r\nabc\r\n0;last\r\n\r\n",
            "3 ;name=value\r\nabc\r\n0\r\n\r\n",
            "0000000003\r\nabc\r\n00\r\n\r\n")) {
      assertSame(List.of(HEAD + "3\r\nabc\r\n", rest));
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
