package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.H2Origin;
import io.portico.testing.TestCertificates;
import io.portico.testing.TestOrigin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 to upstreams against real Netty HTTP/2 origins: h2c with prior knowledge and h2 chosen by
 * ALPN, streams multiplexed on pooled connections within the peer's limit, GOAWAY without lost
 * requests, trailers, flow control from a slow client, PING keepalive.
 */
class Http2UpstreamTest {

  @TempDir Path dir;

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closed(T resource) {
    closing.add(resource);
    return resource;
  }

  private GatewayFixture gateway(String service) throws Exception {
    return closed(
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
            services:
            %s
            routes:
              - name: all
                paths: [ / ]
                service: up
            """
                .formatted(service.indent(2))));
  }

  private GatewayFixture h2cGateway(H2Origin origin, String extra) throws Exception {
    return gateway(
        """
        - name: up
          targets: ["127.0.0.1:%d"]
          protocol: h2c
        %s
        """
            .formatted(origin.port(), extra.indent(2)));
  }

  private static List<HttpResponse<String>> concurrently(GatewayFixture gw, int n, String path)
      throws Exception {
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> out = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : futures) {
      out.add(f.get(30, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void proxiesHttp11RequestsToAnH2cUpstreamOnOneConnection() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");

    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = gw.get("/hello/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("h2 /hello/" + i);
      assertThat(r.headers().map()).doesNotContainKey("x-http2-stream-id");
    }
    assertThat(origin.connections()).isEqualTo(1);
    assertThat(origin.requests().get(0).headers().get("host")).isEqualTo(origin.authority());
  }

  @Test
  void proxiesHttp2ClientsToAnH2cUpstream() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");
    H2Client client = closed(H2Client.connect(gw.address()));

    H2Client.Response r = client.get("/from-h2", "example.test");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("h2 /from-h2");
  }

  @Test
  void aResponseInOneHeadersFrameReachesEitherClientOnceAndTheConnectionGoesOn() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");
    H2Client client = closed(H2Client.connect(gw.address()));

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = gw.get("/empty");
      assertThat(r.statusCode()).isEqualTo(204);
      assertThat(r.headers().firstValue("x-whole")).contains("yes");
      H2Client.Response h2 = client.get("/empty", "example.test");
      assertThat(h2.status()).isEqualTo(204);
      assertThat(h2.headers().get("x-whole")).isEqualTo("yes");
    }
    assertThat(gw.get("/after").body()).isEqualTo("h2 /after");
    assertThat(client.get("/after", "example.test").body()).isEqualTo("h2 /after");
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void opensAnotherConnectionRatherThanExceedThePeersMaxConcurrentStreams() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(5));
    GatewayFixture gw = h2cGateway(origin, "");

    List<HttpResponse<String>> responses = concurrently(gw, 20, "/slow?ms=1500");

    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(origin.maxOpenStreams()).isLessThanOrEqualTo(5);
    assertThat(origin.maxOpenStreamsInAll()).isGreaterThan(5);
    // As many connections as the streams open at once need, two more at most: a request that
    // arrives while every connection is full opens one even if a stream ends just after.
    int needed = (origin.maxOpenStreamsInAll() + 4) / 5;
    assertThat(origin.connections()).isBetween(needed, needed + 2);
  }

  @Test
  void boundsTheRequestsWaitingForAStreamWhenConnectionsAreFull() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(2));
    GatewayFixture gw = h2cGateway(origin, "pool: { max-connections: 1, max-pending: 2 }");

    List<HttpResponse<String>> responses = concurrently(gw, 10, "/slow?ms=1500");

    long ok = responses.stream().filter(r -> r.statusCode() == 200).count();
    long refused = responses.stream().filter(r -> r.statusCode() == 503).count();
    assertThat(ok).isEqualTo(4);
    assertThat(refused).isEqualTo(6);
    assertThat(origin.connections()).isEqualTo(1);
    assertThat(origin.maxOpenStreams()).isEqualTo(2);
  }

  @Test
  void resendsEveryStreamAGoAwayLeftUnprocessedWithoutAFailedRequest() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(1000));
    GatewayFixture gw = h2cGateway(origin, "");
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      futures.add(
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(gw.uri("/slow?ms=3000"))
                      .timeout(Duration.ofSeconds(20))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> origin.requests().size() >= 40);

    int refused = origin.goAwayRefusingOpenStreams();

    for (CompletableFuture<HttpResponse<String>> f : futures) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow 3000");
    }
    assertThat(refused).isPositive();
    assertThat(origin.requests()).hasSize(40 + refused);
    assertThat(origin.connections()).isEqualTo(2);
  }

  @Test
  void opensExactlyAsManyConnectionsAsThePeersLimitRequires() throws Exception {
    int limit = 5;
    int requests = 23;
    H2Origin origin = closed(H2Origin.cleartext(limit));
    GatewayFixture gw = h2cGateway(origin, "");

    List<HttpResponse<String>> responses = concurrently(gw, requests, "/slow?ms=4000");

    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    // Every request was open at the origin at once, so every one needed a stream of its own.
    assertThat(origin.maxOpenStreamsInAll()).isEqualTo(requests);
    assertThat(origin.maxOpenStreams()).isEqualTo(limit);
    assertThat(origin.connections()).isEqualTo((requests + limit - 1) / limit);
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(
      GatewayFixture gw, String path, String body) {
    return gw.client()
        .sendAsync(
            HttpRequest.newBuilder(gw.uri(path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void resendsRequestsWithABodyAGoAwayLeftUnprocessedFromTheReplayBuffer() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(1000));
    GatewayFixture gw = h2cGateway(origin, "");
    List<String> bodies = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String body = String.valueOf((char) ('a' + i)).repeat(20_000 + i);
      bodies.add(body);
      futures.add(postAsync(gw, "/slow-echo?ms=3000", body));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> origin.bodySizes().size() >= 8);

    int refused = origin.goAwayRefusingOpenStreams();

    for (int i = 0; i < futures.size(); i++) {
      HttpResponse<String> r = futures.get(i).get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(bodies.get(i));
    }
    assertThat(refused).isEqualTo(8);
    assertThat(origin.requests()).hasSize(16);
    assertThat(origin.connections()).isEqualTo(2);
  }

  @Test
  void resendsARequestWithABodyTheUpstreamRefusedWithRefusedStream() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(1000));
    GatewayFixture gw = h2cGateway(origin, "http2: { replay-buffer: 128k }");
    String body = "r".repeat(100_000);
    origin.refuseNext(1);

    HttpResponse<String> r = postAsync(gw, "/slow-echo?ms=0", body).get(30, TimeUnit.SECONDS);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    assertThat(origin.bodySizes()).containsExactly(100_000, 100_000);
  }

  @Test
  void failsARefusedRequestWhoseBodyOutgrewTheReplayBuffer() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(1000));
    GatewayFixture gw = h2cGateway(origin, "http2: { replay-buffer: 1k }");
    origin.refuseNext(1);

    HttpResponse<String> r =
        postAsync(gw, "/slow-echo?ms=0", "x".repeat(5_000)).get(30, TimeUnit.SECONDS);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-reset-before-response");
    assertThat(origin.bodySizes()).containsExactly(5_000);
    // A body-less request on the same service is still resent.
    origin.refuseNext(1);
    assertThat(gw.get("/after").statusCode()).isEqualTo(200);
    assertThat(origin.requests()).hasSize(3);
  }

  @Test
  void aResendOfARefusedStreamLeavesTheRouteItsRetries() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "retry: { attempts: 1 }");
    assertThat(gw.get("/warm").statusCode()).isEqualTo(200);
    // Refused (resent, not a retry), then the connection dies under the resend (a retry).
    origin.refuseNext(1);
    origin.dropConnectionOnNext(1);

    HttpResponse<String> r = gw.get("/third-time");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("h2 /third-time");
    assertThat(origin.requests()).hasSize(4);
    assertThat(origin.connections()).isEqualTo(2);
  }

  @Test
  void sendsABodylessRequestAsOneHeadersFrameEndingTheStream() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");

    assertThat(gw.get("/one").statusCode()).isEqualTo(200);
    try (var raw = gw.raw()) {
      raw.send("GET /two HTTP/1.1\r\nHost: gw.test\r\n\r\n");
      assertThat(raw.readUntil("h2 /two", 5000)).startsWith("HTTP/1.1 200");
    }

    assertThat(origin.headersEndingStream()).isEqualTo(2);
    assertThat(origin.emptyDataFrames()).isZero();
  }

  @Test
  void relaysTrailersBothWaysBetweenAnHttp11ClientAndAnH2Upstream() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");

    String response;
    try (var raw = gw.raw()) {
      raw.send(
          "POST /trailers HTTP/1.1\r\nHost: gw.test\r\nTE: trailers\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n"
              + "5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n");
      response = raw.readUntil("x-body-bytes: 5\r\n\r\n", 5000);
    }

    assertThat(origin.lastTrailers().get("x-checksum")).isEqualTo("abc123");
    assertThat(response).startsWith("HTTP/1.1 200").contains("hello");
    assertThat(response).contains("x-echo-checksum: abc123").contains("x-body-bytes: 5");
  }

  @Test
  void streamsARequestBodyToAnH2Upstream() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");
    String body = "x".repeat(300_000);

    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/trailers"))
                .POST(HttpRequest.BodyPublishers.ofString(body)));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
  }

  @Test
  void sendsTeTrailersWithGrpcRequestsOnly() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");

    gw.send(
        HttpRequest.newBuilder(gw.uri("/pkg.Svc/Call"))
            .header("content-type", "application/grpc+proto")
            .POST(HttpRequest.BodyPublishers.ofString("\0\0\0\0\0")));
    gw.send(
        HttpRequest.newBuilder(gw.uri("/plain"))
            .header("content-type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("x")));

    assertThat(origin.requests().get(0).headers().get("te")).isEqualTo("trailers");
    assertThat(origin.requests().get(1).headers().contains("te")).isFalse();
  }

  @Test
  void aClientThatLeavesResetsItsStreamAndKeepsTheConnection() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");
    assertThat(gw.get("/warm").statusCode()).isEqualTo(200);

    try (var raw = gw.raw()) {
      raw.send("GET /slow?ms=5000 HTTP/1.1\r\nHost: gw.test\r\n\r\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests().size() == 2);
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> origin.resets() == 1);
    assertThat(gw.get("/after").statusCode()).isEqualTo(200);
    assertThat(origin.connections()).isEqualTo(1);
  }

  @Test
  void aClientThatDoesNotReadHoldsTheUpstreamStreamByFlowControl() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw = h2cGateway(origin, "");
    long size = 64L * 1024 * 1024;

    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.connect(gw.address());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /big?bytes=" + size + " HTTP/1.1\r\nHost: gw.test\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> origin.bigBytesWritten() > 0);
      Thread.sleep(1500);

      long writtenWhileStalled = origin.bigBytesWritten();
      assertThat(writtenWhileStalled).isLessThan(8L * 1024 * 1024);

      InputStream in = socket.getInputStream();
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      socket.setSoTimeout(20_000);
      while (total < size && (n = in.read(buf)) > 0) {
        total += n;
      }
      assertThat(total).isGreaterThan(size);
    }
    assertThat(origin.bigBytesWritten()).isEqualTo(size);
  }

  @Test
  void pingsAConnectionThatStaysSilent() throws Exception {
    H2Origin origin = closed(H2Origin.cleartext(100));
    GatewayFixture gw =
        h2cGateway(
            origin,
            """
            pool: { idle-timeout: 30s }
            http2: { ping-interval: 1s, ping-timeout: 1s }
            """);

    assertThat(gw.get("/one").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.pings() >= 1);

    assertThat(gw.get("/two").statusCode()).isEqualTo(200);
    assertThat(origin.connections()).isEqualTo(1);
  }

  private SslContext serverTls(TestCertificates.Issued cert, String... alpn) throws Exception {
    return SslContextBuilder.forServer(cert.cert().toFile(), cert.key().toFile())
        .applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                alpn))
        .build();
  }

  private GatewayFixture tlsGateway(int port, String protocol, Path ca) throws Exception {
    return gateway(
        """
        - name: up
          targets: ["https://127.0.0.1:%d"]
          protocol: %s
          tls:
            ca: %s
            server-name: origin.test
        """
            .formatted(port, protocol, ca));
  }

  @Test
  void speaksH2OverTlsWhenAlpnChoosesIt() throws Exception {
    TestCertificates ca = TestCertificates.create(dir);
    H2Origin origin = closed(H2Origin.tls(serverTls(ca.issue("origin.test", "origin.test"), "h2")));
    GatewayFixture gw = tlsGateway(origin.port(), "h2", ca.caFile());

    HttpResponse<String> first = gw.get("/secure");
    HttpResponse<String> second = gw.get("/again");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("h2 /secure");
    assertThat(second.body()).isEqualTo("h2 /again");
    assertThat(origin.connections()).isEqualTo(1);
  }

  @Test
  void autoFallsBackToHttp11WhenTheServerOffersOnlyHttp11() throws Exception {
    TestCertificates ca = TestCertificates.create(dir);
    TestOrigin origin =
        closed(
            TestOrigin.builder()
                .name("one-one")
                .tls(serverTls(ca.issue("origin.test", "origin.test"), "http/1.1"))
                .start());
    GatewayFixture gw = tlsGateway(origin.port(), "auto", ca.caFile());

    assertThat(gw.get("/hello").body()).isEqualTo("one-one");
    assertThat(gw.get("/hello").body()).isEqualTo("one-one");
    assertThat(origin.alpnProtocols()).allSatisfy(p -> assertThat(p).isEqualTo("http/1.1"));
  }

  @Test
  void h2RefusesAServerThatDoesNotChooseH2With502() throws Exception {
    TestCertificates ca = TestCertificates.create(dir);
    TestOrigin origin =
        closed(
            TestOrigin.builder()
                .name("one-one")
                .tls(serverTls(ca.issue("origin.test", "origin.test"), "http/1.1"))
                .start());
    GatewayFixture gw = tlsGateway(origin.port(), "h2", ca.caFile());

    HttpResponse<String> r = gw.get("/a");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-tls-failed");
    assertThat(origin.requestCount()).isZero();
  }
}
