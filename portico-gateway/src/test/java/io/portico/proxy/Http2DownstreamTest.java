package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import io.portico.testing.RawH2Client;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 from clients over clear text (h2c) on real sockets: prior knowledge and upgrade, streams
 * served by the ordinary exchange, and the protections against abusive clients.
 */
class Http2DownstreamTest {

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  private GatewayFixture start(String extra) throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                hosts: [ api.example.test ]
                paths: [ "/" ]
                service: backend
              - name: all
                paths: [ "/" ]
                service: backend
            """
                    .formatted(env.origin().authority())
                + extra);
    return gw;
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private List<ExchangeRecord> records(int count) {
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= count);
    return gw.records();
  }

  @Test
  void upgradesToH2cOnRequest() throws Exception {
    start("");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    HttpResponse<String> first =
        client.send(
            HttpRequest.newBuilder(gw.uri("/hello")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> second =
        client.send(
            HttpRequest.newBuilder(gw.uri("/headers")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(first.body()).isEqualTo("Hello, World!");
    assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(second.body())
        .contains("x-forwarded-proto: http\n")
        .contains("via: 2.0 portico")
        .doesNotContain("upgrade")
        .doesNotContain("http2-settings")
        .doesNotContain("x-http2");
    assertThat(records(2))
        .extracting(ExchangeRecord::protocol)
        .containsExactly("HTTP/2.0", "HTTP/2.0");
  }

  @Test
  void keepsHttp11WhenHttp2IsOff() throws Exception {
    gw =
        env.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: false
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            """
                .formatted(env.origin().authority()));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(gw.uri("/hello")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    String preface;
    try (RawClient raw = gw.raw()) {
      preface = raw.send(RawH2Client.PREFACE).readAvailable(1000);
    }

    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).isEqualTo("Hello, World!");
    assertThat(preface).startsWith("HTTP/1.1 505");
  }

  @Test
  void servesPriorKnowledgeH2cAndRoutesByAuthority() throws Exception {
    start("");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response byAuthority = h2.get("/headers", "api.example.test");
      H2Client.Response byAddress = h2.get("/hello", authority());

      assertThat(byAuthority.status()).isEqualTo(200);
      assertThat(byAuthority.headers().contains("connection")).isFalse();
      assertThat(byAuthority.body())
          .startsWith("GET /headers HTTP/1.1\n")
          .contains("x-forwarded-host: api.example.test")
          .doesNotContain("x-http2");
      assertThat(byAddress.body()).isEqualTo("Hello, World!");
    }
    assertThat(records(2))
        .extracting(ExchangeRecord::route, ExchangeRecord::protocol)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("api", "HTTP/2.0"),
            org.assertj.core.groups.Tuple.tuple("all", "HTTP/2.0"));
  }

  @Test
  void streamsBodiesBothWaysOverPriorKnowledgeH2c() throws Exception {
    start("");
    byte[] body = new byte[512 * 1024 + 3];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }

    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response echoed =
          h2.send(H2Client.request(HttpMethod.POST, "/echo", authority(), body))
              .get(10, TimeUnit.SECONDS);
      H2Client.Response counted =
          h2.send(H2Client.request(HttpMethod.POST, "/count", authority(), body))
              .get(10, TimeUnit.SECONDS);

      assertThat(echoed.status()).isEqualTo(200);
      assertThat(echoed.body()).isEqualTo(new String(body, StandardCharsets.US_ASCII));
      assertThat(counted.body()).isEqualTo(Integer.toString(body.length));
    }
  }

  @Test
  void streamsABodyWithoutContentLengthPastUnknownFrames() throws Exception {
    start("");

    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/count", authority());
      for (int i = 0; i < 4; i++) {
        client.unknownFrame(1).data(1, new byte[1000], false);
      }
      client.data(1, new byte[234], true).flush();

      assertThat(client.responseBody(1).get(10, TimeUnit.SECONDS)).isEqualTo("4234");
    }
    assertThat(env.origin().lastRequest().headers().get("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void servesConcurrentStreamsOnOneConnection() throws Exception {
    start("limits:\n  http2-max-concurrent-streams: 50\n");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      Http2Settings settings = h2.remoteSettings();
      long begin = System.nanoTime();
      List<CompletableFuture<H2Client.Response>> responses = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        responses.add(
            h2.send(H2Client.request(HttpMethod.GET, "/delay/400", authority(), new byte[0])));
      }
      for (CompletableFuture<H2Client.Response> r : responses) {
        assertThat(r.get(10, TimeUnit.SECONDS).body()).isEqualTo("late");
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);

      assertThat(settings.maxConcurrentStreams()).isEqualTo(50L);
      assertThat(settings.maxHeaderListSize()).isEqualTo(32L * 1024);
      assertThat(elapsed).isLessThan(Duration.ofMillis(20 * 400 / 2));
      assertThat(h2.isOpen()).isTrue();
    }
    assertThat(env.origin().requestCount()).isEqualTo(20);
  }

  @Test
  void answers431ToAHeaderListOverTheLimitAndKeepsTheConnection() throws Exception {
    start("limits:\n  max-header-size: 8k\n");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      var big = H2Client.request(HttpMethod.GET, "/hello", authority(), new byte[0]);
      big.headers().set("x-big", "b".repeat(9 * 1024));
      H2Client.Response refused = h2.send(big).get(10, TimeUnit.SECONDS);
      H2Client.Response after = h2.get("/hello", authority());

      assertThat(refused.status()).isEqualTo(431);
      assertThat(after.body()).isEqualTo("Hello, World!");
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
  }

  @Test
  void answersHeadWithoutABodyOverH2() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: hello
                paths: [ "/hello" ]
                service: backend
            """
                .formatted(env.origin().authority()));

    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response proxied =
          h2.send(H2Client.request(HttpMethod.HEAD, "/hello", authority(), new byte[0]))
              .get(10, TimeUnit.SECONDS);
      H2Client.Response local =
          h2.send(H2Client.request(HttpMethod.HEAD, "/nowhere", authority(), new byte[0]))
              .get(10, TimeUnit.SECONDS);

      assertThat(proxied.status()).isEqualTo(200);
      assertThat(proxied.body()).isEmpty();
      assertThat(proxied.headers().get("content-length")).isEqualTo("13");
      assertThat(local.status()).isEqualTo(404);
      assertThat(local.body()).isEmpty();
      assertThat(Integer.parseInt(local.headers().get("content-length"))).isPositive();
    }
  }

  @Test
  void resetsOnlyTheStreamOfABodyOverTheLimit() throws Exception {
    start("limits:\n  max-body-size: 1k\n");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response tooLarge =
          h2.send(H2Client.request(HttpMethod.POST, "/count", authority(), new byte[4096]))
              .get(10, TimeUnit.SECONDS);
      H2Client.Response after = h2.get("/hello", authority());

      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.headers().contains("connection")).isFalse();
      assertThat(after.body()).isEqualTo("Hello, World!");
      assertThat(h2.isOpen()).isTrue();
    }
  }

  @Test
  void anAnswerBeforeTheBodyArrivesReachesTheClientWholeBeforeTheStreamIsReset() throws Exception {
    start("limits:\n  max-body-size: 1k\n");

    try (RawH2Client client = new RawH2Client(gw.address())) {
      client
          .preface()
          .headers(
              1,
              false,
              ":method",
              "POST",
              ":scheme",
              "http",
              ":path",
              "/count",
              ":authority",
              authority(),
              "content-length",
              "100000")
          .flush();

      // Answered from the head alone; the stream, still open from the client, is then reset,
      // and the answer's body must have gone out before that reset.
      assertThat(client.status(1).get(10, TimeUnit.SECONDS)).isEqualTo("413");
      String body = client.responseBody(1).get(10, TimeUnit.SECONDS);
      assertThat(body).contains("\"status\":413");
      assertThat(client.resetOf(1).get(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(client.dataBeforeReset(1).get(1, TimeUnit.SECONDS)).isEqualTo(body.length());
    }
  }

  @Test
  void aBodyTheUpstreamCutShortReachesTheClientUpToTheCutBeforeTheReset() throws Exception {
    start("");

    try (RawH2Client client = new RawH2Client(gw.address())) {
      // The origin sends its head, 100 of the 1,000 bytes it announced, and closes: the gateway
      // reads all of it at once, relays the 100 bytes and resets the stream.
      client.preface().get(1, "/half", authority()).flush();

      assertThat(client.status(1).get(10, TimeUnit.SECONDS)).isEqualTo("200");
      assertThat(client.resetOf(1).get(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(client.dataBeforeReset(1).get(1, TimeUnit.SECONDS)).isEqualTo(100);
    }
  }

  @Test
  void closesARapidResetAttackerWithGoAwayWhileServingOthers() throws Exception {
    start("limits:\n  http2-max-resets-per-window: 50\n  http2-reset-window: 30s\n");
    AtomicInteger served = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();

    try (RawH2Client attacker = new RawH2Client(gw.address());
        H2Client bystander = H2Client.connect(gw.address())) {
      assertThat(bystander.get("/hello", authority()).status()).isEqualTo(200);
      attacker.preface();
      CompletableFuture<Void> attack =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int stream = 1;
                      stream < 2 * 1000 && !attacker.goAway().isDone();
                      stream += 2) {
                    attacker.get(stream, "/delay/1000", authority()).reset(stream).flush();
                    sent.incrementAndGet();
                  }
                } catch (java.io.IOException e) {
                  // the gateway closed the connection under our feet: expected
                }
              });
      while (!attack.isDone()) {
        assertThat(bystander.get("/hello", authority()).body()).isEqualTo("Hello, World!");
        served.incrementAndGet();
      }
      attack.get(10, TimeUnit.SECONDS);

      assertThat(attacker.goAway().get(5, TimeUnit.SECONDS))
          .isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
      attacker.closed().get(5, TimeUnit.SECONDS);
      assertThat(sent.get()).isGreaterThan(50);
      assertThat(bystander.get("/hello", authority()).body()).isEqualTo("Hello, World!");
      assertThat(bystander.isOpen()).isTrue();
    }
    assertThat(served.get()).isPositive();
  }

  @Test
  void closesAnH2cConnectionThatSendsNoSettingsWithinTheHeaderTimeout() throws Exception {
    start("limits:\n  header-timeout: 300ms\n");

    try (RawClient raw = gw.raw()) {
      raw.send(RawH2Client.PREFACE);
      long begin = System.nanoTime();
      boolean closed = raw.closedByServer(3000);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);

      assertThat(closed).isTrue();
      assertThat(elapsed).isBetween(Duration.ofMillis(150), Duration.ofMillis(2500));
    }
  }

  @Test
  void closesAnIdleH2ConnectionWithGoAwayAfterTheKeepAliveTimeout() throws Exception {
    start("limits:\n  keep-alive-timeout: 300ms\n");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      assertThat(h2.get("/delay/500", authority()).body()).isEqualTo("late");
      assertThat(h2.isOpen()).isTrue();

      assertThat(h2.goAway().get(3, TimeUnit.SECONDS)).isEqualTo(Http2Error.NO_ERROR.code());
      h2.closed().get(3, TimeUnit.SECONDS);
    }
  }

  @Test
  void endsTheConnectionGracefullyAfterMaxRequestsPerConnection() throws Exception {
    start("limits:\n  max-requests-per-connection: 3\n");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      for (int i = 0; i < 3; i++) {
        assertThat(h2.get("/hello", authority()).status()).isEqualTo(200);
      }

      assertThat(h2.goAway().get(3, TimeUnit.SECONDS)).isEqualTo(Http2Error.NO_ERROR.code());
      h2.closed().get(3, TimeUnit.SECONDS);
    }
    assertThat(env.origin().requestCount()).isEqualTo(3);
  }

  @Test
  void finishesInFlightStreamsWhenTheGatewayShutsDown() throws Exception {
    start("");

    try (H2Client h2 = H2Client.connect(gw.address())) {
      h2.get("/hello", authority());
      CompletableFuture<H2Client.Response> inFlight =
          h2.send(H2Client.request(HttpMethod.GET, "/delay/500", authority(), new byte[0]));
      await().atMost(Duration.ofSeconds(2)).until(() -> env.origin().requestCount() == 2);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(gw.gateway()::close);

      assertThat(inFlight.get(5, TimeUnit.SECONDS).body()).isEqualTo("late");
      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(Http2Error.NO_ERROR.code());
      closing.get(5, TimeUnit.SECONDS);
      h2.closed().get(3, TimeUnit.SECONDS);
    }
  }
}
