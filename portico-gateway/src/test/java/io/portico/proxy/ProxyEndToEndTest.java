package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proxying over real sockets: a client, the gateway, and in-process origin servers. */
class ProxyEndToEndTest {

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  private GatewayFixture start(String routesAndServices) throws Exception {
    gw = env.start(routesAndServices);
    return gw;
  }

  private String simple() {
    return GatewayFixture.proxyAllTo(env.origin().authority());
  }

  @Test
  void proxiesGetToTheOriginAndReturnsItsBody() throws Exception {
    start(simple());
    HttpResponse<String> r = gw.get("/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("Hello, World!");
    assertThat(env.origin().lastRequest().uri()).isEqualTo("/hello");
  }

  @Test
  void reusesOneUpstreamConnectionForSequentialRequests() throws Exception {
    start(simple());
    for (int i = 0; i < 20; i++) {
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }
    assertThat(env.origin().requestCount()).isEqualTo(20);
    assertThat(env.origin().connections()).isEqualTo(1);
  }

  @Test
  void answersNoRouteWith404ProblemJsonCarryingTheRequestId() throws Exception {
    start(
        """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: api
            paths: [ "/api" ]
            service: backend
        """
            .formatted(env.origin().authority()));
    HttpResponse<String> r = gw.get("/nothing-here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body())
        .contains("\"type\":\"https://portico.dev/problems/no-route\"")
        .contains("\"status\":404")
        .containsPattern("\"request_id\":\"[0-9a-f]{32}\"");
    assertThat(env.origin().requestCount()).isZero();
    // The record is made right after the response is written: wait for it.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> !gw.records().isEmpty());
    assertThat(gw.records()).extracting(ExchangeRecord::failure).containsExactly("no_route");
  }

  @Test
  void returns502WhenTheUpstreamRefusesConnections() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    start(
        """
        services:
          - name: backend
            targets: [ "127.0.0.1:%d" ]
            retry: { attempts: 0 }
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
        """
            .formatted(dead));
    HttpResponse<String> r = gw.get("/hello");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-connect-failed");
  }

  @Test
  void retriesARefusedConnectionOnAnotherTarget() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    start(
        """
        services:
          - name: backend
            targets: [ "127.0.0.1:%d", "%s" ]
            retry: { attempts: 1 }
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
        """
            .formatted(dead, env.origin().authority()));
    for (int i = 0; i < 6; i++) {
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void returns504WhenTheUpstreamDoesNotAnswerInTime() throws Exception {
    start(
        """
        services:
          - name: backend
            targets: [ "%s" ]
            timeouts: { response: 200ms }
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
        """
            .formatted(env.origin().authority()));
    HttpResponse<String> r = gw.get("/delay/3000");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("upstream-response-timeout");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void returns502WhenTheUpstreamClosesBeforeResponding() throws Exception {
    start(simple());
    HttpResponse<String> r = gw.get("/reset");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-reset-before-response");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void cutsTheClientConnectionWhenTheUpstreamDiesMidBody() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /half HTTP/1.1\r\nHost: x\r\n\r\n").readAvailable(2000);
      assertThat(got).startsWith("HTTP/1.1 200");
      assertThat(got.length() - got.indexOf("\r\n\r\n") - 4).isLessThan(1000);
    }
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void setsForwardingHeadersAndReplacesClientSuppliedOnes() throws Exception {
    start(simple());
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/headers"))
                .header("X-Forwarded-For", "6.6.6.6")
                .header("Forwarded", "for=6.6.6.6")
                .header("X-Request-Id", "client-id-1"));
    String seen = r.body();
    assertThat(seen).contains("x-forwarded-for: 127.0.0.1\n");
    assertThat(seen).doesNotContain("6.6.6.6");
    assertThat(seen).contains("x-forwarded-proto: http\n");
    assertThat(seen).contains("x-forwarded-host: 127.0.0.1:" + gw.port() + "\n");
    assertThat(seen)
        .contains("forwarded: for=127.0.0.1;proto=http;host=\"127.0.0.1:" + gw.port() + "\"\n");
    assertThat(seen).contains("via: 1.1 portico\n");
    assertThat(seen).containsPattern("x-request-id: [0-9a-f]{32}\n").doesNotContain("client-id-1");
    assertThat(seen).contains("host: " + env.origin().authority() + "\n");
  }

  @Test
  void stripsClientSuppliedIdentityHeadersOnEveryRoute() throws Exception {
    start(simple());
    String seen =
        gw.send(
                HttpRequest.newBuilder(gw.uri("/headers"))
                    .header("X-Consumer-Name", "admin")
                    .header("X-Consumer-Groups", "root")
                    .header("X-Credential-Id", "forged")
                    .header("X-Anonymous-Consumer", "false")
                    .header("X-Consumer-Custom-Id", "1"))
            .body();
    assertThat(seen)
        .doesNotContain("x-consumer")
        .doesNotContain("x-credential-id")
        .doesNotContain("x-anonymous-consumer");
  }

  @Test
  void generatesARequestIdWhenTheClientSendsNoneOrAMalformedOne() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String seen =
          c.send("GET /headers HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad;id<script>\r\n\r\n")
              .readAvailable(1000);
      assertThat(seen).containsPattern("x-request-id: [0-9a-f]{32}\n").doesNotContain("script");
    }
    assertThat(gw.get("/headers").body()).containsPattern("x-request-id: [0-9a-f]{32}\n");
  }

  @Test
  void removesHopByHopHeadersIncludingThoseNamedInConnection() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "GET /headers HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Secret-Hop\r\n"
                      + "X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                      + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n")
              .readAvailable(1000);
      assertThat(got).startsWith("HTTP/1.1 200");
      String body = got.substring(got.indexOf("\r\n\r\n") + 4);
      assertThat(body).contains("x-kept: yes");
      assertThat(body)
          .doesNotContain("x-secret-hop")
          .doesNotContain("keep-alive: timeout")
          .doesNotContain("\nte:")
          .doesNotContain("proxy-connection")
          .doesNotContain("upgrade");
    }
  }

  @Test
  void stripsThePrefixAndRewritesPaths() throws Exception {
    start(
        """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: stripped
            paths: [ "/api" ]
            strip-prefix: true
            service: backend
          - name: rewritten
            paths: [ "/users/{id}" ]
            rewrite-path: /v2/people/{id}
            service: backend
        """
            .formatted(env.origin().authority()));
    gw.get("/api/hello?x=1");
    assertThat(env.origin().lastRequest().uri()).isEqualTo("/hello?x=1");
    gw.get("/users/42");
    assertThat(env.origin().lastRequest().uri()).isEqualTo("/v2/people/42");
  }

  @Test
  void preservesTheClientHostWhenAsked() throws Exception {
    start(
        """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: all
            paths: [ "/" ]
            preserve-host: true
            service: backend
        """
            .formatted(env.origin().authority()));
    try (RawClient c = gw.raw()) {
      c.send("GET /hello HTTP/1.1\r\nHost: api.example.com\r\n\r\n").readAvailable(500);
    }
    assertThat(env.origin().lastRequest().headers().get("host")).isEqualTo("api.example.com");
  }

  @Test
  void sendsTheHostARoutePluginSets() throws Exception {
    start(
        """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
            plugins:
              request-headers: { set: { Host: api.internal } }
        """
            .formatted(env.origin().authority()));
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("host")).isEqualTo("api.internal");
  }

  @Test
  void streamsAChunkedRequestBodyToTheUpstreamAndTheResponseBack() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
              .readAvailable(1000);
      assertThat(got).startsWith("HTTP/1.1 200");
      assertThat(got).contains("hello").contains(" world").endsWith("0\r\n\r\n");
    }
  }

  @Test
  void answers100ContinueOnlyAfterTheRequestWasAccepted() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String interim =
          c.send(
                  "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
              .readAvailable(500);
      assertThat(interim).startsWith("HTTP/1.1 100 Continue");
      String got = c.send("abcde").readAvailable(500);
      assertThat(got).startsWith("HTTP/1.1 200").endsWith("5");
    }
    assertThat(env.origin().lastRequest().headers().contains("expect")).isFalse();
  }

  @Test
  void refuses100ContinueRequestsWithoutRouteAndClosesWithoutReadingTheBody() throws Exception {
    start(simple().replace("paths: [ \"/\" ]", "paths: [ \"/only\" ]"));
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
              .readAvailable(1000);
      assertThat(got).startsWith("HTTP/1.1 404").contains("connection: close");
    }
  }

  @Test
  void servesPipelinedRequestsInOrder() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /count HTTP/1.1\r\nHost: x\r\n\r\n"
                      + "GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n")
              .readAvailable(1000);
      int first = got.indexOf("Hello, World!");
      int second = got.indexOf("HTTP/1.1 200", first);
      int third = got.indexOf("HTTP/1.1 204", second);
      assertThat(first).isPositive();
      assertThat(second).isGreaterThan(first);
      assertThat(third).isGreaterThan(second);
    }
  }

  @Test
  void answersHeadWithoutABodyAndKeepsTheConnection() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got =
          c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
              .readAvailable(1000);
      assertThat(got).startsWith("HTTP/1.1 200").contains("content-length: 13");
      assertThat(got.indexOf("Hello, World!")).isEqualTo(got.lastIndexOf("Hello, World!"));
      assertThat(got.split("HTTP/1.1 200", -1)).hasSize(3);
    }
  }

  @Test
  void chunksAResponseTheUpstreamDelimitsByClosingAndKeepsTheClientConnection() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /unframed HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("0\r\n\r\n", 2000);
      assertThat(got).startsWith("HTTP/1.1 200").contains("transfer-encoding: chunked");
      assertThat(got).contains("until close");
      String again = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("World!", 2000);
      assertThat(again).contains("Hello, World!");
    }
  }

  @Test
  void speaksHttp10ToHttp10Clients() throws Exception {
    start(simple());
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /hello HTTP/1.0\r\n\r\n").readAvailable(1000);
      assertThat(got).contains("200").endsWith("Hello, World!");
      assertThat(c.closedByServer(1000)).isTrue();
    }
  }

  @Test
  void proxiesAWebSocketUpgradeAndRelaysFrames() throws Exception {
    start(simple());
    var messages = new java.util.concurrent.LinkedBlockingQueue<String>();
    var ws =
        gw.client()
            .newWebSocketBuilder()
            .buildAsync(
                java.net.URI.create("ws://127.0.0.1:" + gw.port() + "/ws"),
                new java.net.http.WebSocket.Listener() {
                  @Override
                  public java.util.concurrent.CompletionStage<?> onText(
                      java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                    messages.add(data.toString());
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(5, java.util.concurrent.TimeUnit.SECONDS);
    ws.sendText("ping", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(messages.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo: ping");
    ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye")
        .get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void recordsEveryExchangeWithRouteUpstreamAndTimings() throws Exception {
    start(simple());
    gw.get("/hello");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> !gw.records().isEmpty());
    ExchangeRecord r = gw.records().get(0);
    assertThat(r.route()).isEqualTo("all");
    assertThat(r.service()).isEqualTo("backend");
    assertThat(r.upstream()).isEqualTo(env.origin().authority());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.responseBytes()).isEqualTo(13);
    assertThat(r.failure()).isNull();
    assertThat(r.durationMillis()).isPositive();
  }
}
