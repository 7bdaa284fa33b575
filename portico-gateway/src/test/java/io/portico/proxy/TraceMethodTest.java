package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code TRACE} is answered by the gateway, 405 with {@code Allow} and a problem, and never
 * forwarded: an upstream's echo would hand the client what the gateway added to its request
 * (credentials a plugin set, identity headers), and cookies to a script that can read the echo. Raw
 * HTTP/1.1 over a socket, and HTTP/2 (h2c prior knowledge).
 */
class TraceMethodTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
                plugins:
                  request-headers:
                    set: { Authorization: "Bearer upstream-secret" }
            """
                .formatted(env.origin().authority()));
  }

  @BeforeEach
  void reset() throws Exception {
    // a GET proves the route forwards; it is the only request the origin sees
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void refusesTraceOverHttp11With405AllowAndAProblemWithoutForwarding() throws Exception {
    int before = env.origin().requestCount();
    try (RawClient c = gw.raw()) {
      c.send("TRACE /echo HTTP/1.1\r\nHost: x\r\nCookie: session=s3cr3t\r\n\r\n");
      String answer = c.readUntil("}", 5000);

      assertThat(answer).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
      assertThat(answer.toLowerCase())
          .contains("\r\nallow: get, head, post, put, delete, options, patch\r\n")
          .contains("\r\ncontent-type: application/problem+json\r\n")
          .contains("\"type\":\"https://portico.dev/problems/method-not-allowed\"")
          .doesNotContain("s3cr3t")
          .doesNotContain("upstream-secret");
      assertThat(c.closedByServer(5000)).isTrue();
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void refusesTraceWithABodyAndAnAbsoluteFormTarget() throws Exception {
    int before = env.origin().requestCount();
    try (RawClient c = gw.raw()) {
      c.send("TRACE http://x/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(c.readUntil("}", 5000)).startsWith("HTTP/1.1 405 ");
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  /** A body on GET (or DELETE) is forwarded as nginx forwards it, framed as it was received. */
  @Test
  void forwardsTheBodyOfAGetWithItsLengthOrChunked() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("GET /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(c.readUntil("\r\n\r\n5", 5000)).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n5");
      c.send(
          "DELETE /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n0\r\n\r\n");
      assertThat(c.readUntil("\r\n\r\n3", 5000)).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n3");
    }
  }

  @Test
  void refusesTraceOverHttp2With405AllowAndAProblemWithoutForwarding() throws Exception {
    int before = env.origin().requestCount();
    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response r =
          h2.send(
                  H2Client.request(
                      HttpMethod.TRACE,
                      "/echo",
                      "127.0.0.1:" + gw.port(),
                      "x".getBytes(StandardCharsets.US_ASCII)))
              .get(10, TimeUnit.SECONDS);

      assertThat(r.status()).isEqualTo(405);
      assertThat(r.headers().get("allow"))
          .isEqualTo("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
      assertThat(r.headers().get("content-type")).isEqualTo("application/problem+json");
      assertThat(r.body()).contains("\"status\":405").contains("TRACE");
      // the connection serves on: a refused stream is refused alone
      assertThat(h2.get("/hello", "127.0.0.1:" + gw.port()).status()).isEqualTo(200);
    }
    assertThat(env.origin().requestCount()).isEqualTo(before + 1);
  }
}
