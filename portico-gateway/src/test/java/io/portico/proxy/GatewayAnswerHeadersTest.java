package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpMethod;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.OAuthServerPerClass;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of answer the gateway makes itself carries {@code X-Content-Type-Options: nosniff}:
 * the proxy's problems (404 no route, TRACE's 405, 413, 502, 504, 408), the plugins' local replies
 * (401 of key-auth, 403 of ip-restriction, 429 of rate-limit, a mock's plain body, a CORS
 * preflight, openid-connect's redirect to its provider, a 503 reply), over HTTP/1.1 and HTTP/2. A
 * response relayed from the upstream is left as the upstream sent it. The answers of the AI
 * gateway, of grpc-transcode and of a TLS port spoken to in plain text are checked by their own
 * tests ({@code AiGatewayEndToEndTest}, {@code GrpcTranscodeEndToEndTest}, {@code
 * TlsListenerTest}).
 */
class GatewayAnswerHeadersTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  private static GatewayFixture gw;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @BeforeAll
  static void start() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    gw =
        env.start(
            """
            limits: { max-body-size: 16, header-timeout: 1s }
            services:
              - name: backend
                targets: [ "%1$s" ]
              - name: slow
                targets: [ "%1$s" ]
                timeouts: { response: 300ms }
              - name: gone
                targets: [ "127.0.0.1:%3$d" ]
            routes:
              - name: proxied
                paths: [ "/hello" ]
                service: backend
              - name: delayed
                paths: [ "/delay/" ]
                service: slow
              - name: refused
                paths: [ "/refused" ]
                service: gone
              - name: keyed
                paths: [ "/keyed" ]
                service: backend
                plugins:
                  key-auth: {}
              - name: denied
                paths: [ "/denied" ]
                service: backend
                plugins:
                  ip-restriction: { deny: [ 127.0.0.0/8 ] }
              - name: limited
                paths: [ "/limited" ]
                plugins:
                  rate-limit: { limits: [ { requests: 1, window: 1h } ], key: global }
                  mock: { status: 200 }
              - name: mocked
                paths: [ "/mocked" ]
                plugins:
                  mock: { status: 200, body: "<script>alert(1)</script>" }
              - name: maintenance
                paths: [ "/maintenance" ]
                plugins:
                  mock: { status: 503 }
              - name: cors
                paths: [ "/cors" ]
                service: backend
                plugins:
                  cors: { allow-origins: [ "https://app.example.com" ], allow-methods: [ GET ] }
              - name: login
                paths: [ "/app" ]
                service: backend
                plugins:
                  openid-connect:
                    mode: relying-party
                    discovery: "%2$s"
                    client-id: portico
                    client-secret: not-so-secret
                    redirect-path: /app/callback
                    redirect-uri: https://app.example.com/app/callback
                    session: { secret: "0123456789abcdef0123456789abcdef" }
            """
                .formatted(
                    env.origin().authority(), oauth.server().wellKnownUrl("default"), closedPort));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10));
  }

  private static void assertMarked(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(status);
    assertThat(r.headers().allValues("x-content-type-options"))
        .as("x-content-type-options of the %d to %s", status, r.uri())
        .containsExactly("nosniff");
  }

  @Test
  void marksTheProxysOwnProblems() throws Exception {
    assertMarked(send(request("/no/such/route")), 404);
    assertMarked(send(request("/refused")), 502);
    assertMarked(send(request("/delay/3000")), 504);
    assertMarked(
        send(request("/hello").POST(HttpRequest.BodyPublishers.ofString("x".repeat(64)))), 413);
  }

  @Test
  void marksThePluginsLocalReplies() throws Exception {
    assertMarked(send(request("/keyed")), 401);
    assertMarked(send(request("/denied")), 403);
    send(request("/limited"));
    assertMarked(send(request("/limited")), 429);
    HttpResponse<String> mocked = send(request("/mocked"));
    assertMarked(mocked, 200);
    assertThat(mocked.body()).isEqualTo("<script>alert(1)</script>");
    assertMarked(send(request("/maintenance")), 503);
  }

  @Test
  void marksACorsPreflightAnswer() throws Exception {
    HttpResponse<String> r =
        send(
            request("/cors")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "GET"));
    assertThat(r.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example.com");
    assertThat(r.statusCode()).isBetween(200, 204);
    assertThat(r.headers().allValues("x-content-type-options")).containsExactly("nosniff");
  }

  @Test
  void marksOpenIdConnectsRedirectToItsProvider() throws Exception {
    // The provider's discovery document is fetched when the gateway starts; on a busy machine
    // that first fetch can fail, and the next is made at most every few seconds.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> send(request("/app/page").header("Accept", "text/html")).statusCode() != 503);
    HttpResponse<String> r = send(request("/app/page").header("Accept", "text/html"));
    assertMarked(r, 302);
    assertThat(r.headers().firstValue("location"))
        .hasValueSatisfying(l -> assertThat(URI.create(l).getPath()).endsWith("/authorize"));
  }

  @Test
  void marksTraceAndTheRequestHeadTimeoutOnARawConnection() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("TRACE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readUntil("}", 5000).toLowerCase())
          .startsWith("http/1.1 405 ")
          .contains("\r\nx-content-type-options: nosniff\r\n");
    }
    try (RawClient c = gw.raw()) {
      c.send("GET /hello HTTP/1.1\r\nHost: x\r\n");
      assertThat(c.readUntil("}", 5000).toLowerCase())
          .startsWith("http/1.1 408 ")
          .contains("\r\nx-content-type-options: nosniff\r\n");
    }
  }

  @Test
  void marksAnswersOverHttp2() throws Exception {
    try (H2Client h2 = H2Client.connect(gw.address())) {
      String host = "127.0.0.1:" + gw.port();
      H2Client.Response noRoute = h2.get("/no/such/route", host);
      assertThat(noRoute.status()).isEqualTo(404);
      assertThat(noRoute.headers().getAll("x-content-type-options")).containsExactly("nosniff");
      H2Client.Response trace =
          h2.send(H2Client.request(HttpMethod.TRACE, "/hello", host, new byte[0]))
              .get(10, TimeUnit.SECONDS);
      assertThat(trace.status()).isEqualTo(405);
      assertThat(trace.headers().getAll("x-content-type-options")).containsExactly("nosniff");
      H2Client.Response relayed = h2.get("/hello", host);
      assertThat(relayed.status()).isEqualTo(200);
      assertThat(relayed.headers().contains("x-content-type-options")).isFalse();
    }
  }

  @Test
  void leavesARelayedUpstreamResponseAsTheUpstreamSentIt() throws Exception {
    HttpResponse<String> r = send(request("/hello"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-content-type-options")).isEmpty();
    assertThat(r.body().getBytes(StandardCharsets.UTF_8)).isNotEmpty();
  }
}
