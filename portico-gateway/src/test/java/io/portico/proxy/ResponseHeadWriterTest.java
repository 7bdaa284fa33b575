package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.portico.upstream.HeadBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The client codec writes response heads with {@link ResponseHeadWriter}: the bytes must be those
 * of Netty's {@code HttpServerCodec} for the same request and response, whatever the status, the
 * request's method ({@code HEAD}, {@code CONNECT}) and the framing, and for many heads in a row on
 * one connection.
 */
class ResponseHeadWriterTest {

  private static EmbeddedChannel clientCodec() {
    return new EmbeddedChannel(new ClientCodec(new HttpDecoderConfig(), 8));
  }

  private static EmbeddedChannel nettyCodec() {
    return new EmbeddedChannel(new HttpServerCodec());
  }

  /** What {@code channel} writes for the messages after decoding {@code request}. */
  private static String exchange(EmbeddedChannel channel, String request, List<Object> messages) {
    channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    for (Object in; (in = channel.readInbound()) != null; ) {
      ReferenceCountUtil.release(in);
    }
    for (Object m : messages) {
      channel.write(m);
    }
    channel.flush();
    return drain(channel);
  }

  private static String drain(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  private static String assertSameBytes(String request, Supplier<List<Object>> messages) {
    EmbeddedChannel ours = clientCodec();
    EmbeddedChannel netty = nettyCodec();
    try {
      String expected = exchange(netty, request, messages.get());
      String actual = exchange(ours, request, messages.get());
      assertThat(actual).as(request).isEqualTo(expected);
      return actual;
    } finally {
      ours.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }

  private static final String GET = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";

  private static HttpResponse head(HttpResponseStatus status) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    r.headers()
        .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .add("Server", "origin")
        .add(AsciiString.of("x-ascii"), AsciiString.of("ascii value"))
        .add(new StringBuilder("X-Built"), "built name");
    return r;
  }

  private static HttpResponse sized(HttpResponseStatus status, int length) {
    HttpResponse r = head(status);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    return r;
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void writesTheBytesOfNettysEncoderForAPlainResponse() {
    String out =
        assertSameBytes(
            GET,
            () ->
                List.of(
                    sized(HttpResponseStatus.OK, 13),
                    new DefaultLastHttpContent(text("Hello, World!"))));
    assertThat(out)
        .startsWith("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nServer: origin\r\n")
        .endsWith("content-length: 13\r\n\r\nHello, World!");
    assertSameBytes(
        GET,
        () -> {
          DefaultFullHttpResponse full =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_0, HttpResponseStatus.NOT_FOUND, text("gone"));
          full.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 4);
          return List.of(full);
        });
  }

  @Test
  void writesEveryStatusLineAsNettyDoes() {
    List<HttpResponseStatus> statuses =
        List.of(
            HttpResponseStatus.valueOf(299),
            HttpResponseStatus.valueOf(200, "Fine"),
            HttpResponseStatus.valueOf(200, ""),
            HttpResponseStatus.valueOf(404, "Nicht gefunden: caf\u00e9"),
            HttpResponseStatus.valueOf(500, "\u20ac wide \u4e2d"),
            HttpResponseStatus.valueOf(599, "Custom"),
            HttpResponseStatus.BAD_GATEWAY);
    for (HttpResponseStatus status : statuses) {
      for (HttpVersion version :
          List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0, HttpVersion.valueOf("HTTP/1.2"))) {
        assertSameBytes(
            GET,
            () -> {
              HttpResponse r = sized(status, 2);
              r.setProtocolVersion(version);
              return List.of(r, new DefaultLastHttpContent(text("ok")));
            });
      }
    }
  }

  @Test
  void writesCharactersAboveLatin1AsQuestionMarksLikeNetty() {
    String out =
        assertSameBytes(
            GET,
            () -> {
              HttpResponse r = sized(HttpResponseStatus.OK, 0);
              r.headers().add("X-Latin", "caf\u00e9").add("X-Wide", "\u20ac and \u4e2d");
              return List.of(r, LastHttpContent.EMPTY_LAST_CONTENT);
            });
    assertThat(out).contains("X-Wide: ? and ?\r\n");
  }

  @Test
  void keepsChunkedFramingAndTrailers() {
    assertSameBytes(
        GET,
        () -> {
          HttpResponse r = head(HttpResponseStatus.OK);
          r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
          LastHttpContent last = new DefaultLastHttpContent(text("tail"));
          last.trailingHeaders().add("X-Checksum", "abc123").add("grpc-status", "0");
          return List.of(r, new DefaultHttpContent(text("first piece")), last);
        });
  }

  @Test
  void keepsTheBodylessResponsesOfHeadConnect1xx204And304() {
    assertSameBytes(
        "HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n",
        () -> List.of(sized(HttpResponseStatus.OK, 13), LastHttpContent.EMPTY_LAST_CONTENT));
    String tunnel =
        assertSameBytes(
            "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
            () -> {
              HttpResponse r = head(HttpResponseStatus.OK);
              r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
              return List.of(r);
            });
    assertThat(tunnel).doesNotContain("transfer-encoding");
    for (HttpResponseStatus status :
        List.of(
            HttpResponseStatus.NO_CONTENT,
            HttpResponseStatus.NOT_MODIFIED,
            HttpResponseStatus.RESET_CONTENT)) {
      assertSameBytes(
          GET,
          () -> {
            HttpResponse r = sized(status, 13);
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            return List.of(r, LastHttpContent.EMPTY_LAST_CONTENT);
          });
    }
    assertSameBytes(
        "POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
        () ->
            List.of(
                new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
                sized(HttpResponseStatus.CREATED, 2),
                new DefaultLastHttpContent(text("ok"))));
  }

  @Test
  void manyHeadsInARowAndOneLargerThanTheKeptArrayAreWritten() {
    EmbeddedChannel ours = clientCodec();
    EmbeddedChannel netty = nettyCodec();
    String big = "v".repeat(3000);
    try {
      for (int i = 0; i < 40; i++) {
        boolean large = i % 10 == 3;
        String method = i % 7 == 5 ? "HEAD" : "GET";
        String request = method + " /n/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n";
        int n = i;
        Supplier<List<Object>> messages =
            () -> {
              HttpResponse r = sized(HttpResponseStatus.OK, 2);
              r.headers().add("X-N", "x".repeat(n * 7));
              if (large) {
                for (int k = 0; k < 6; k++) {
                  r.headers().add("X-Big-" + k, big);
                }
              }
              return List.of(r, new DefaultLastHttpContent(text("ok")));
            };
        String expected = exchange(netty, request, messages.get());
        String actual = exchange(ours, request, messages.get());
        assertThat(actual).as("response %d", i).isEqualTo(expected);
        if (large) {
          assertThat(actual.length()).isGreaterThan(HeadBytes.KEEP_LIMIT);
        }
      }
    } finally {
      ours.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }

  /**
   * Contents of every size around the copied limit, empty ones, bare buffers, ends with trailers.
   */
  static List<Object> chunkedBody() {
    List<Object> body = new java.util.ArrayList<>();
    for (int n : new int[] {1, 15, 16, 255, 256, 257, 4096, 70_000}) {
      body.add(new DefaultHttpContent(text("c".repeat(n))));
    }
    body.add(new DefaultHttpContent(Unpooled.EMPTY_BUFFER));
    body.add(text("a bare buffer"));
    return body;
  }

  @Test
  void writesChunkedBodiesOfEverySizeAsNettyDoes() {
    for (int last : new int[] {0, 3, 300}) {
      for (boolean trailers : new boolean[] {false, true}) {
        assertSameBytes(
            GET,
            () -> {
              HttpResponse r = head(HttpResponseStatus.OK);
              r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
              List<Object> messages = new java.util.ArrayList<>();
              messages.add(r);
              messages.addAll(chunkedBody());
              LastHttpContent end =
                  last == 0 && !trailers
                      ? LastHttpContent.EMPTY_LAST_CONTENT
                      : new DefaultLastHttpContent(text("t".repeat(last)));
              if (trailers) {
                end.trailingHeaders().add("X-Checksum", "abc123").add("grpc-status", "0");
              }
              messages.add(end);
              // a second response on the connection, framed by length
              messages.add(sized(HttpResponseStatus.OK, 2));
              messages.add(new DefaultLastHttpContent(text("ok")));
              return messages;
            });
      }
    }
  }

  @Test
  void writesASmallChunkAsOneBufferWithItsFraming() {
    EmbeddedChannel ours = clientCodec();
    try {
      ours.writeInbound(Unpooled.copiedBuffer(GET, StandardCharsets.ISO_8859_1));
      ReferenceCountUtil.release(ours.readInbound());
      ReferenceCountUtil.release(ours.readInbound());
      HttpResponse r = head(HttpResponseStatus.OK);
      r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      ours.write(r);
      ours.write(new DefaultHttpContent(text("first")));
      ours.write(new DefaultLastHttpContent(text("Hello, World!")));
      ours.flush();
      ByteBuf head = ours.readOutbound();
      head.release();
      ByteBuf first = ours.readOutbound();
      ByteBuf end = ours.readOutbound();
      try {
        assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("5\r\nfirst\r\n");
        assertThat(end.toString(StandardCharsets.US_ASCII))
            .isEqualTo("d\r\nHello, World!\r\n0\r\n\r\n");
        Object more = ours.readOutbound();
        assertThat(more).isNull();
      } finally {
        first.release();
        end.release();
      }
    } finally {
      ours.finishAndReleaseAll();
    }
  }
}
