package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The heads of a client's HTTP/2 stream converted as Netty's {@link HttpConversionUtil} converts
 * them (without its {@code x-http2-*} fields), field for field and in order, whether the head takes
 * the direct way or Netty's.
 */
class Http2HeadConversionTest {

  private static Http2Headers grpcHead() {
    Http2Headers h = new DefaultHttp2Headers();
    h.method("POST").path("/bench.Echo/Unary?x=1").scheme("http").authority("gw.example:8080");
    h.add("content-type", "application/grpc");
    h.add("te", "trailers");
    h.add("grpc-timeout", "5S");
    h.add("user-agent", "grpc-java/1.0");
    h.add("x-md", "a");
    h.add("x-md", "b");
    return h;
  }

  private static List<String> fields(HttpHeaders headers) {
    List<String> out = new ArrayList<>();
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      out.add(e.getKey() + ": " + e.getValue());
    }
    return out;
  }

  private static List<String> fields(Http2Headers headers) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<CharSequence, CharSequence> e : headers) {
      out.add(e.getKey() + ": " + e.getValue());
    }
    return out;
  }

  private static HttpRequest netty(Http2Headers h) throws Http2Exception {
    HttpRequest r = HttpConversionUtil.toHttpRequest(3, h, true);
    for (HttpConversionUtil.ExtensionHeaderNames n :
        HttpConversionUtil.ExtensionHeaderNames.values()) {
      r.headers().remove(n.text());
    }
    return r;
  }

  private static void assertSameRequest(Http2Headers h) throws Http2Exception {
    HttpRequest expected = netty(h);
    HttpRequest got = Http2HeadConversion.request(3, h);
    assertThat(got.method()).isEqualTo(expected.method());
    assertThat(got.uri()).isEqualTo(expected.uri());
    assertThat(got.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(fields(got.headers())).containsExactlyElementsOf(fields(expected.headers()));
    assertThat(fields(got.headers())).noneMatch(f -> f.startsWith("x-http2-"));
  }

  @Test
  void aGrpcRequestHeadBecomesWhatNettyMakesOfItWithoutItsExtensionFields() throws Exception {
    Http2Headers h = grpcHead();
    assertSameRequest(h);
    HttpRequest got = Http2HeadConversion.request(3, h);
    assertThat(got.method()).isSameAs(HttpMethod.POST);
    assertThat(got.headers().get("Host")).isEqualTo("gw.example:8080");
    assertThat(got.headers().getAll("x-md")).containsExactly("a", "b");
  }

  @Test
  void headsOutsideTheDirectWayGoToNettysConversionWithTheSameResult() throws Exception {
    Http2Headers cookies = grpcHead();
    cookies.add("cookie", "a=1");
    cookies.add("cookie", "b=2");
    assertSameRequest(cookies);

    Http2Headers host = grpcHead();
    host.add("host", "gw.example:8080");
    assertSameRequest(host);

    Http2Headers extension = grpcHead();
    extension.add("x-http2-scheme", "https");
    assertSameRequest(extension);

    Http2Headers noAuthority = new DefaultHttp2Headers().method("GET").path("/").scheme("http");
    assertSameRequest(noAuthority);
  }

  @Test
  void everyMethodIsTheOneNettyNames() throws Exception {
    for (String m : List.of("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE")) {
      Http2Headers h = new DefaultHttp2Headers().method(m).path("/p").scheme("https");
      assertSameRequest(h);
      assertThat(Http2HeadConversion.request(1, h).method().name()).isEqualTo(m);
    }
  }

  @Test
  void aValueTheHttp11MapRefusesFailsTheStreamWithProtocolError() {
    Http2Headers h = new DefaultHttp2Headers(false);
    h.method("POST").path("/p").scheme("http").authority("a");
    h.add("x-bad", "one\r\ntwo");
    assertThatThrownBy(() -> Http2HeadConversion.request(5, h))
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> {
              assertThat(e.error()).isEqualTo(Http2Error.PROTOCOL_ERROR);
              assertThat(Http2Exception.streamId(e)).isEqualTo(5);
            });
  }

  @Test
  void aResponseHeadAndItsTrailersBecomeWhatNettyMakesOfThem() {
    HttpResponse plain = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    plain.headers().add("content-type", "application/grpc");
    plain.headers().add("X-Request-Id", "abc");
    plain.headers().add(AsciiString.cached("grpc-encoding"), "identity");
    plain.headers().add("Transfer-Encoding", "chunked");
    plain.headers().add("keep-alive", "timeout=5");
    plain.headers().add("x-http2-stream-id", "3");
    plain.headers().add("Set-Cookie", "a=1");
    plain.headers().add("set-cookie", "b=2");

    HttpResponse listed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    listed.headers().add("Connection", "close, x-private");
    listed.headers().add("x-private", "1");
    listed.headers().add("x-public", "2");

    for (HttpResponse r : List.of(plain, listed)) {
      assertThat(fields(Http2HeadConversion.response(r)))
          .containsExactlyElementsOf(fields(HttpConversionUtil.toHttp2Headers(r, true)));
    }
    assertThat(fields(Http2HeadConversion.response(plain)))
        .startsWith(":status: 200")
        .contains("x-request-id: abc")
        .noneMatch(f -> f.startsWith("transfer-encoding") || f.startsWith("keep-alive"));

    HttpHeaders trailers = new DefaultHttpHeaders();
    trailers.add("grpc-status", "0");
    trailers.add("Grpc-Message", "fine");
    trailers.add("x-trailer-md", "z");
    assertThat(fields(Http2HeadConversion.trailers(trailers)))
        .containsExactly("grpc-status: 0", "grpc-message: fine", "x-trailer-md: z")
        .containsExactlyElementsOf(fields(HttpConversionUtil.toHttp2Headers(trailers, true)));
    HttpHeaders te = new DefaultHttpHeaders().add("te", "trailers, deflate").add("x", "1");
    assertThat(fields(Http2HeadConversion.trailers(te)))
        .containsExactlyElementsOf(fields(HttpConversionUtil.toHttp2Headers(te, true)));
  }
}
