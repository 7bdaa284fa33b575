package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.portico.upstream.DeferredTrailers;
import org.junit.jupiter.api.Test;

/**
 * {@link H2Messages#responseHead} against Netty's {@code toHttpResponse}: the same status and
 * fields for a plain header block, and Netty's own rules where a block needs them (cookies joined,
 * a stray pseudo-header refused, extension names dropped).
 */
class H2MessagesTest {

  @Test
  void aPlainResponseHeadIsWhatNettyMakes() throws Exception {
    Http2Headers block = new DefaultHttp2Headers();
    block.status("200");
    block.add("content-type", "text/plain");
    block.add("content-length", "13");
    block.add("set-cookie", "a=1");
    block.add("set-cookie", "b=2");
    block.add("x-one", "1");
    block.add("transfer-encoding", "chunked");
    block.add("connection", "close");
    block.add("trailer", "x-t");

    assertSameAsNetty(block);
  }

  private static void assertSameAsNetty(Http2Headers block) throws Http2Exception {
    HttpResponse ours = H2Messages.responseHead(3, block, true);
    HttpResponse netty = HttpConversionUtil.toHttpResponse(3, block, true);
    netty.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
    assertThat(ours.status()).isEqualTo(netty.status());
    assertThat(ours.protocolVersion()).isEqualTo(netty.protocolVersion());
    assertThat(ours.headers().entries()).hasToString(netty.headers().entries().toString());
  }

  @Test
  void aHeadWithoutLengthIsChunkedUnlessNothingFollows() throws Exception {
    Http2Headers block = new DefaultHttp2Headers().status("200");
    assertThat(H2Messages.responseHead(3, block, false).headers().get("transfer-encoding"))
        .isEqualTo("chunked");
    assertThat(H2Messages.responseHead(3, block, true).headers().contains("transfer-encoding"))
        .isFalse();
  }

  @Test
  void blocksThatNeedNettysRulesGetThem() throws Exception {
    Http2Headers cookies = new DefaultHttp2Headers().status("200");
    cookies.add("cookie", "a=1");
    cookies.add("cookie", "b=2");
    assertSameAsNetty(cookies);

    Http2Headers extension = new DefaultHttp2Headers().status("204");
    extension.add("x-http2-stream-id", "9");
    assertSameAsNetty(extension);
    Http2Headers host = new DefaultHttp2Headers().status("200");
    host.add("host", "a.example");
    assertSameAsNetty(host);

    Http2Headers stray = new DefaultHttp2Headers(false).status("200");
    stray.add(":bogus", "1");
    assertThatThrownBy(() -> H2Messages.responseHead(3, stray, true))
        .isInstanceOf(Http2Exception.class);
  }

  @Test
  void trailersAreTheFieldsNettyWouldKeepInAMapMadeForThem() throws Exception {
    Http2Headers block = new DefaultHttp2Headers();
    block.add("grpc-status", "0");
    block.add("grpc-message", "fine");
    block.add("x-md", "1");
    LastHttpContent netty = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
    HttpConversionUtil.addHttp2ToHttpHeaders(
        3, block, netty.trailingHeaders(), HttpVersion.HTTP_1_1, true, false);

    LastHttpContent got = H2Messages.trailers(3, block);
    assertThat(got.trailingHeaders()).isInstanceOf(DeferredTrailers.class);
    assertThat(text(got.trailingHeaders()))
        .containsExactlyElementsOf(text(netty.trailingHeaders()))
        .containsExactly("grpc-status: 0", "grpc-message: fine", "x-md: 1");

    Http2Headers cookies = new DefaultHttp2Headers();
    cookies.add("cookie", "a=1");
    cookies.add("cookie", "b=2");
    LastHttpContent nettyCookies = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
    HttpConversionUtil.addHttp2ToHttpHeaders(
        3, cookies, nettyCookies.trailingHeaders(), HttpVersion.HTTP_1_1, true, false);
    assertThat(text(H2Messages.trailers(3, cookies).trailingHeaders()))
        .containsExactlyElementsOf(text(nettyCookies.trailingHeaders()));

    Http2Headers forbidden = new DefaultHttp2Headers();
    forbidden.add("content-length", "5");
    assertThatThrownBy(() -> H2Messages.trailers(7, forbidden))
        .isInstanceOfSatisfying(
            Http2Exception.class, e -> assertThat(Http2Exception.streamId(e)).isEqualTo(7));
  }

  private static java.util.List<String> text(io.netty.handler.codec.http.HttpHeaders headers) {
    return headers.entries().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
  }
}
