package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link H2RequestHeaders} against Netty's own conversion: the same fields in the same order for
 * every request it converts, a Cookie field kept whole, and the requests it leaves to Netty.
 */
class H2RequestHeadersTest {

  @Test
  void makesWhatNettysConversionMakes() {
    HttpRequest request = request(HttpMethod.GET, "/a/b?c=d");
    request.headers().add("Host", "api.example:8080");
    request.headers().add("User-Agent", "curl/8");
    request.headers().add("ACCEPT", "*/*");
    request.headers().add("x-custom", "1");
    request.headers().add("X-Custom-Two", "2");
    request.headers().add("X-Forwarded-For", "10.0.0.1");
    request.headers().add("Keep-Alive", "timeout=5");
    request.headers().add("Transfer-Encoding", "chunked");
    request.headers().add("Upgrade", "websocket");
    request.headers().add("Proxy-Connection", "keep-alive");
    request.headers().add("x-http2-scheme", "ftp");
    request.headers().add("x-http2-stream-id", "7");
    request.headers().add("TE", "gzip, Trailers");

    assertThat(H2RequestHeaders.applies(request)).isTrue();
    assertThat(fields(H2RequestHeaders.of(request, false)))
        .isEqualTo(fields(netty(request, false)));
    assertThat(fields(H2RequestHeaders.of(request, true))).isEqualTo(fields(netty(request, true)));
    assertThat(H2RequestHeaders.of(request, true).get("te")).hasToString("trailers");
  }

  @Test
  void aTeWithoutTrailersIsNotSent() {
    HttpRequest request = request(HttpMethod.POST, "/");
    request.headers().add("te", "gzip, trailersx, deflate");
    assertThat(H2RequestHeaders.of(request, false).contains("te")).isFalse();
    assertThat(H2RequestHeaders.namesTrailers(" trailers ")).isTrue();
    assertThat(H2RequestHeaders.namesTrailers("gzip,\ttrailers")).isTrue();
    assertThat(H2RequestHeaders.namesTrailers("")).isFalse();
    assertThat(H2RequestHeaders.namesTrailers(",")).isFalse();
  }

  @Test
  void aGrpcCallGetsTeTrailersOnceWithoutChangingTheRequest() {
    HttpRequest request = request(HttpMethod.POST, "/pkg.Svc/Call");
    request.headers().add("Content-Type", "application/grpc+proto");
    request.headers().add("te", "trailers");
    Http2Headers out = H2RequestHeaders.of(request, false);
    assertThat(out.getAll("te")).hasSize(1);
    request.headers().remove("te");
    assertThat(H2RequestHeaders.of(request, false).getAll("te")).hasSize(1);
    assertThat(request.headers().contains("te")).isFalse();
  }

  @Test
  void aCookieGoesAsOneField() {
    HttpRequest request = request(HttpMethod.GET, "/");
    request.headers().add("Cookie", "a=1; b=2");
    assertThat(H2RequestHeaders.of(request, false).getAll("cookie")).hasSize(1);
  }

  @Test
  void leavesTheOtherRequestFormsToNetty() {
    assertThat(H2RequestHeaders.applies(request(HttpMethod.GET, "http://a.example/x"))).isFalse();
    assertThat(H2RequestHeaders.applies(request(HttpMethod.CONNECT, "a.example:443"))).isFalse();
    assertThat(H2RequestHeaders.applies(request(HttpMethod.OPTIONS, "*"))).isTrue();
    HttpRequest withConnection = request(HttpMethod.GET, "/");
    withConnection.headers().add("Connection", "x-hop");
    assertThat(H2RequestHeaders.applies(withConnection)).isFalse();
    HttpRequest withUser = request(HttpMethod.GET, "/");
    withUser.headers().add("Host", "user@a.example");
    assertThat(H2RequestHeaders.applies(withUser)).isFalse();
  }

  @Test
  void lowerCasesANameOnlyWhenItMustAndSharesCommonOnes() {
    String lower = "x-lower";
    assertThat(H2RequestHeaders.lowerCase(lower)).isSameAs(lower);
    assertThat(H2RequestHeaders.lowerCase("User-Agent"))
        .isSameAs(H2RequestHeaders.lowerCase("USER-AGENT"));
    assertThat(H2RequestHeaders.lowerCase("X-Unknown-Name")).hasToString("x-unknown-name");
  }

  private static HttpRequest request(HttpMethod method, String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
  }

  private static Http2Headers netty(HttpRequest request, boolean tls) {
    HttpRequest copy = request(request.method(), request.uri());
    copy.headers().set(request.headers());
    copy.headers()
        .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), tls ? "https" : "http");
    return HttpConversionUtil.toHttp2Headers(copy, true);
  }

  private static List<String> fields(Http2Headers headers) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<CharSequence, CharSequence> e : headers) {
      out.add(AsciiString.of(e.getKey()) + ": " + e.getValue());
    }
    return out;
  }
}
