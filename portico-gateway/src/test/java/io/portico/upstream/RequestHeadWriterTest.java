package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The upstream codec writes request heads with {@link RequestHeadWriter}: the bytes must be those
 * of Netty's own request encoder for every head, those it lays out itself and those it leaves to
 * the encoder, and the framing of bodies and trailers after them must not change.
 */
class RequestHeadWriterTest {

  /** What the upstream codec writes for the messages, as one string of bytes (ISO-8859-1). */
  private static String upstreamCodec(List<Object> messages) {
    return written(new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig())), messages);
  }

  private static String nettyEncoder(List<Object> messages) {
    return written(new EmbeddedChannel(new HttpRequestEncoder()), messages);
  }

  private static String written(EmbeddedChannel channel, List<Object> messages) {
    for (Object m : messages) {
      channel.write(m);
    }
    channel.flush();
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    channel.finishAndReleaseAll();
    return out.toString();
  }

  private static void assertSameBytes(Supplier<List<Object>> messages) {
    String netty = nettyEncoder(messages.get());
    assertThat(upstreamCodec(messages.get())).isEqualTo(netty);
  }

  private static HttpRequest get(String uri) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    r.headers()
        .add(HttpHeaderNames.HOST, "origin.example:8080")
        .add("X-Request-Id", "f3a1c0de")
        .add(AsciiString.of("x-ascii"), AsciiString.of("ascii value"))
        .add(new StringBuilder("X-Built"), "built name");
    return r;
  }

  @Test
  void writesTheBytesOfNettysEncoderForAPlainHead() {
    assertSameBytes(() -> List.of(get("/hello?a=1&b=%20"), LastHttpContent.EMPTY_LAST_CONTENT));
    assertThat(upstreamCodec(List.of(get("/hello"), LastHttpContent.EMPTY_LAST_CONTENT)))
        .startsWith(
            "GET /hello HTTP/1.1\r\nhost: origin.example:8080\r\nX-Request-Id: f3a1c0de\r\n")
        .endsWith("X-Built: built name\r\n\r\n");
  }

  @Test
  void writesCharactersAboveLatin1AsQuestionMarksLikeNetty() {
    assertSameBytes(
        () -> {
          HttpRequest r = get("/");
          r.headers().add("X-Latin", "caf\u00e9").add("X-Wide", "\u20ac and \u4e2d");
          return List.of(r, LastHttpContent.EMPTY_LAST_CONTENT);
        });
    HttpRequest r = get("/");
    r.headers().set("X-Wide", "\u20ac1");
    assertThat(upstreamCodec(List.of(r, LastHttpContent.EMPTY_LAST_CONTENT)))
        .contains("X-Wide: ?1\r\n");
  }

  @Test
  void leavesTargetsOtherThanAsciiOriginFormToTheEncoder() {
    RequestHeadWriter writer = new RequestHeadWriter();
    ByteBuf buf = Unpooled.buffer();
    try {
      assertThat(writer.writeInitialLine(buf, get("/a"))).isTrue();
      assertThat(buf.readableBytes()).as("held for the header block").isZero();
      writer.writeHeaders(EmptyHttpHeaders.INSTANCE, null, buf);
      assertThat(buf.toString(StandardCharsets.US_ASCII)).isEqualTo("GET /a HTTP/1.1\r\n");
      buf.clear();
      for (String uri :
          List.of("http://h.example", "http://h.example?q=1", "", "*", "/caf\u00e9")) {
        assertThat(writer.writeInitialLine(buf, get(uri))).as(uri).isFalse();
        assertThat(buf.readableBytes()).as(uri).isZero();
        assertSameBytes(() -> List.of(get(uri), LastHttpContent.EMPTY_LAST_CONTENT));
      }
    } finally {
      buf.release();
    }
  }

  @Test
  void writesOtherMethodsAndVersions() {
    for (HttpMethod method :
        List.of(HttpMethod.POST, HttpMethod.OPTIONS, HttpMethod.valueOf("PROPFIND"))) {
      assertSameBytes(
          () -> {
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, method, "/x");
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            return List.of(r, LastHttpContent.EMPTY_LAST_CONTENT);
          });
    }
  }

  @Test
  void aRequestLineHeldForAHeadThatWasNotWrittenNeverReachesTheNextHead() {
    RequestHeadWriter writer = new RequestHeadWriter();
    ByteBuf buf = Unpooled.buffer();
    try {
      // a head abandoned between its line and its fields (its encoding failed)
      assertThat(writer.writeInitialLine(buf, get("/abandoned"))).isTrue();
      // the next head on the same buffer object: its line is the encoder's own
      assertThat(writer.writeInitialLine(buf, get("http://h.example/next"))).isFalse();
      HttpHeaders fields = new DefaultHttpHeaders().add("X-Next", "1");
      writer.writeHeaders(fields, null, buf);
      assertThat(buf.toString(StandardCharsets.US_ASCII)).isEqualTo("X-Next: 1\r\n");
    } finally {
      buf.release();
    }
  }

  @Test
  void aHeadLargerThanTheKeptArrayIsWholeAndTheNextHeadsOnTheConnectionToo() {
    EmbeddedChannel upstream = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    EmbeddedChannel netty = new EmbeddedChannel(new HttpRequestEncoder());
    String big = "v".repeat(3000);
    try {
      for (int round = 0; round < 3; round++) {
        for (boolean large : new boolean[] {true, false}) {
          HttpRequest a = get("/round/" + round);
          HttpRequest b = get("/round/" + round);
          if (large) {
            for (int i = 0; i < 6; i++) {
              a.headers().add("X-Big-" + i, big);
              b.headers().add("X-Big-" + i, big);
            }
          }
          upstream.writeAndFlush(a);
          upstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
          netty.writeAndFlush(b);
          netty.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
          String actual = drain(upstream);
          assertThat(actual).as("round %d, large %b", round, large).isEqualTo(drain(netty));
          if (large) {
            assertThat(actual.length()).isGreaterThan(RequestHeadWriter.KEEP_LIMIT);
          }
        }
      }
    } finally {
      upstream.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }

  @Test
  void keepsTheFramingOfChunkedAndSizedBodiesAndTheirTrailers() {
    assertSameBytes(
        () -> {
          HttpRequest r = get("/upload");
          r.setMethod(HttpMethod.POST);
          r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
          LastHttpContent last =
              new DefaultLastHttpContent(Unpooled.copiedBuffer("tail", StandardCharsets.US_ASCII));
          last.trailingHeaders().add("X-Checksum", "abc123").add("X-Count", "2");
          return List.of(
              r,
              new DefaultHttpContent(Unpooled.copiedBuffer("first piece", StandardCharsets.UTF_8)),
              last);
        });
    assertSameBytes(
        () -> {
          HttpRequest r = get("/upload");
          r.setMethod(HttpMethod.PUT);
          r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
          return List.of(
              r,
              new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));
        });
  }

  @Test
  void aConnectionWritesManyHeadsInARowAsNettyWould() {
    EmbeddedChannel upstream = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    EmbeddedChannel netty = new EmbeddedChannel(new HttpRequestEncoder());
    try {
      for (int i = 0; i < 50; i++) {
        HttpRequest a = get("/n/" + i);
        HttpRequest b = get("/n/" + i);
        a.headers().add("X-N", "x".repeat(i * 7));
        b.headers().add("X-N", "x".repeat(i * 7));
        for (Object[] pair :
            new Object[][] {
              {a, b}, {LastHttpContent.EMPTY_LAST_CONTENT, LastHttpContent.EMPTY_LAST_CONTENT}
            }) {
          upstream.write(pair[0]);
          netty.write(pair[1]);
        }
        upstream.flush();
        netty.flush();
        assertThat(drain(upstream)).as("request %d", i).isEqualTo(drain(netty));
      }
    } finally {
      upstream.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }

  private static String drain(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void writesChunkedBodiesOfEverySizeAsNettyDoes() {
    for (int last : new int[] {0, 3, 300}) {
      for (boolean trailers : new boolean[] {false, true}) {
        assertSameBytes(
            () -> {
              HttpRequest r = get("/upload");
              r.setMethod(HttpMethod.POST);
              r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
              List<Object> messages = new java.util.ArrayList<>();
              messages.add(r);
              for (int n : new int[] {1, 16, 255, 256, 257, 70_000, 0}) {
                messages.add(new DefaultHttpContent(Unpooled.copiedBuffer(new byte[n])));
              }
              messages.add(Unpooled.copiedBuffer("a bare buffer", StandardCharsets.US_ASCII));
              LastHttpContent end =
                  last == 0 && !trailers
                      ? LastHttpContent.EMPTY_LAST_CONTENT
                      : new DefaultLastHttpContent(Unpooled.copiedBuffer(new byte[last]));
              if (trailers) {
                end.trailingHeaders().add("X-Checksum", "abc123");
              }
              messages.add(end);
              messages.add(get("/next"));
              messages.add(LastHttpContent.EMPTY_LAST_CONTENT);
              return messages;
            });
      }
    }
  }

  @Test
  void writesASmallChunkedBodyAsOneBufferWithItsFraming() {
    EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    try {
      HttpRequest r = get("/upload");
      r.setMethod(HttpMethod.POST);
      r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      ch.write(r);
      ch.write(
          new DefaultLastHttpContent(
              Unpooled.copiedBuffer("Hello, World!", StandardCharsets.US_ASCII)));
      ch.flush();
      ByteBuf head = ch.readOutbound();
      head.release();
      ByteBuf body = ch.readOutbound();
      try {
        assertThat(body.toString(StandardCharsets.US_ASCII))
            .isEqualTo("d\r\nHello, World!\r\n0\r\n\r\n");
        Object more = ch.readOutbound();
        assertThat(more).isNull();
      } finally {
        body.release();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
