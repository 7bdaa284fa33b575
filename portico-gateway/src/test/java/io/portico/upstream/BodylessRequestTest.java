package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A body-less request written through the connection's reusable view: the bytes of its head and the
 * empty end written apart, in one outbound buffer, and the view reusable head after head.
 */
class BodylessRequestTest {

  private static HttpRequest head(HttpMethod method, String uri) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    r.headers().add(HttpHeaderNames.HOST, "origin.example").add("X-Request-Id", uri);
    return r;
  }

  private static List<String> drain(EmbeddedChannel channel) {
    List<String> buffers = new ArrayList<>();
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      if (b.isReadable()) {
        buffers.add(b.toString(StandardCharsets.ISO_8859_1));
      }
      b.release();
    }
    return buffers;
  }

  @Test
  void writesTheBytesOfTheHeadAndTheEmptyEndInOneBuffer() {
    EmbeddedChannel upstream = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    EmbeddedChannel netty = new EmbeddedChannel(new HttpRequestEncoder());
    BodylessRequest view = new BodylessRequest();
    try {
      for (int i = 0; i < 5; i++) {
        HttpRequest plain = head(HttpMethod.GET, "/n/" + i);
        HttpRequest chunked = head(HttpMethod.DELETE, "/c/" + i);
        chunked.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        for (HttpRequest request : List.of(plain, chunked)) {
          upstream.writeAndFlush(view.wrap(request));
          view.clear();
          netty.write(request);
          netty.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
          List<String> written = drain(upstream);
          assertThat(String.join("", written))
              .as(request.uri())
              .isEqualTo(String.join("", drain(netty)));
          if (request == plain) {
            // Netty adds a chunked end as a shared buffer of its own; a sized head is one buffer.
            assertThat(written).as(request.uri()).hasSize(1);
          }
        }
        assertThat(plain.headers().get("X-Request-Id")).isEqualTo("/n/" + i);
      }
    } finally {
      upstream.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }

  @Test
  void aResponseToAHeadWrittenThroughTheViewHasNoBody() {
    EmbeddedChannel upstream = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    BodylessRequest view = new BodylessRequest();
    try {
      upstream.writeAndFlush(view.wrap(head(HttpMethod.HEAD, "/h")));
      view.clear();
      drain(upstream);
      upstream.writeInbound(
          Unpooled.copiedBuffer(
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", StandardCharsets.US_ASCII));
      HttpResponse response = upstream.readInbound();
      assertThat(response.status().code()).isEqualTo(200);
      Object end = upstream.readInbound();
      assertThat(end).isInstanceOf(LastHttpContent.class);
      assertThat(((LastHttpContent) end).content().readableBytes()).isZero();
      ReferenceCountUtil.release(end);
    } finally {
      upstream.finishAndReleaseAll();
    }
  }

  @Test
  void isAViewOfItsHeadAndHoldsNoneAfterTheWrite() {
    BodylessRequest view = new BodylessRequest();
    HttpRequest request = head(HttpMethod.GET, "/a");
    view.wrap(request).setUri("/b");
    assertThat(request.uri()).isEqualTo("/b");
    assertThat(view.headers()).isSameAs(request.headers());
    assertThat(view.content().readableBytes()).isZero();
    assertThat(view.trailingHeaders().isEmpty()).isTrue();
    HttpRequest copy = view.copy();
    assertThat(copy.uri()).isEqualTo("/b");
    assertThat(copy.headers()).isNotSameAs(request.headers());
    assertThat(view.release()).isFalse();
    view.clear();
    assertThat(view.toString()).contains("cleared");
  }
}
