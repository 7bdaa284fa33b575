package io.portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestCertificates;
import io.portico.testing.TestOrigin;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Active probes against real origins: thresholds, TCP, TLS, discovery changes, reloads. */
class ActiveHealthCheckTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static JsonNode health(GatewayFixture gw, String service) throws Exception {
    HttpResponse<String> r = gw.admin("/services/" + service + "/health");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static JsonNode endpoint(JsonNode health, String authority) {
    for (JsonNode e : health.get("endpoints")) {
      if (e.get("address").asText().equals(authority)) {
        return e;
      }
    }
    return JSON.missingNode();
  }

  private static String activeState(GatewayFixture gw, String service, String authority)
      throws Exception {
    return endpoint(health(gw, service), authority).path("active").path("state").asText();
  }

  @Test
  void anEndpointFailingProbesIsTakenOutAndReturnsWhenItRecovers() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: pair
                    targets: [ "%s", "%s" ]
                    health:
                      active:
                        path: /healthz
                        interval: 50ms
                        timeout: 50ms
                        unhealthy-threshold: 3
                        healthy-threshold: 2
                routes:
                  - name: all
                    paths: [ / ]
                    service: pair
                """
                    .formatted(a.authority(), b.authority()))) {
      // Warmed up: the last probe answered and the endpoint is (still, or again) healthy.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                JsonNode h = health(gw, "pair");
                JsonNode ea = endpoint(h, a.authority());
                JsonNode eb = endpoint(h, b.authority());
                return ea.at("/active/state").asText().equals("healthy")
                    && eb.at("/active/state").asText().equals("healthy")
                    && eb.at("/active/last_result").asText().equals("200");
              });

      // Counted before the switch, so that a probe under way at the switch is never left out.
      int before = b.probes.get();
      b.healthStatus.set(503);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> activeState(gw, "pair", b.authority()).equals("unhealthy"));
      // Three failures in a row (the threshold), not one: the probes counted since the switch.
      assertThat(b.probes.get() - before).isGreaterThanOrEqualTo(3);
      JsonNode h = health(gw, "pair");
      assertThat(endpoint(h, b.authority()).get("available").asBoolean()).isFalse();
      assertThat(endpoint(h, b.authority()).at("/active/last_result").asText()).isEqualTo("503");
      assertThat(endpoint(h, a.authority()).get("available").asBoolean()).isTrue();
      assertThat(h.get("available").asInt()).isEqualTo(1);
      int bServed = b.requests.get();
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = gw.get("/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a");
      }
      assertThat(b.requests.get()).isEqualTo(bServed);

      b.healthStatus.set(200);
      int down = b.probes.get();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> activeState(gw, "pair", b.authority()).equals("healthy"));
      assertThat(b.probes.get() - down).isGreaterThanOrEqualTo(2);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                gw.get("/x");
                return b.requests.get() > bServed;
              });
    }
  }

  @Test
  void aTcpProbeOnAClosedPortTakesTheEndpointOut() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String dead = "127.0.0.1:" + closed;
    try (HealthOrigin a = new HealthOrigin("a");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: pair
                    targets: [ "%s", "%s" ]
                    health:
                      active: { type: tcp, interval: 50ms, unhealthy-threshold: 2 }
                routes:
                  - name: all
                    paths: [ / ]
                    service: pair
                """
                    .formatted(a.authority(), dead))) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> activeState(gw, "pair", dead).equals("unhealthy"));
      JsonNode h = health(gw, "pair");
      assertThat(endpoint(h, dead).at("/active/last_result").asText()).startsWith("connect failed");
      assertThat(endpoint(h, a.authority()).at("/active/state").asText()).isEqualTo("healthy");
      assertThat(endpoint(h, a.authority()).at("/active/last_result").asText())
          .isEqualTo("connected");
      assertThat(h.at("/active/type").asText()).isEqualTo("tcp");
      // No retry configured: every request succeeds only because the dead target is out.
      for (int i = 0; i < 10; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      }
      // A TCP probe sends no request.
      assertThat(a.requests.get()).isEqualTo(10);
    }
  }

  @Test
  void probesGoOverTlsToHttpsTargetsAndFailWhenTheCertificateDoesNotVerify() throws Exception {
    TestCertificates ca = TestCertificates.create(dir);
    TestCertificates.Issued good = ca.issue("origin.test", "127.0.0.1");
    SslContext serverTls =
        SslContextBuilder.forServer(good.cert().toFile(), good.key().toFile()).build();
    TestCertificates other = TestCertificates.create(Files.createDirectory(dir.resolve("other")));
    try (TestOrigin origin = TestOrigin.builder().name("secure").tls(serverTls).start();
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: secure
                    targets: [ "https://127.0.0.1:%1$d" ]
                    tls: { ca: %2$s }
                    health:
                      active: { path: /status/204, interval: 200ms }
                  - name: untrusted
                    targets: [ "https://127.0.0.1:%1$d" ]
                    tls: { ca: %3$s }
                    health:
                      active: { path: /status/204, interval: 200ms, unhealthy-threshold: 1 }
                routes:
                  - name: all
                    paths: [ / ]
                    service: secure
                """
                    .formatted(origin.port(), ca.caFile(), other.caFile()))) {
      String target = "127.0.0.1:" + origin.port();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  endpoint(health(gw, "secure"), target)
                      .at("/active/last_result")
                      .asText()
                      .equals("204"));
      assertThat(origin.tlsSessions()).isNotEmpty();
      assertThat(origin.requests())
          .anySatisfy(
              r -> {
                assertThat(r.uri()).isEqualTo("/status/204");
                assertThat(r.headers().get("user-agent")).isEqualTo("portico-health-check");
              });
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> activeState(gw, "untrusted", target).equals("unhealthy"));
      // The first handshakes of a cold JVM may outlast the timeout; a warm one fails on the chain.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  endpoint(health(gw, "untrusted"), target)
                      .at("/active/last_result")
                      .asText()
                      .startsWith("TLS handshake failed"));
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void probesFollowTheEndpointsOfAFileSource() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b")) {
      Path endpoints = dir.resolve("endpoints.yaml");
      Files.writeString(
          endpoints, "endpoints:\n  - { host: 127.0.0.1, port: %d }\n".formatted(a.port()));
      try (GatewayFixture gw =
          GatewayFixture.start(
              """
              admin:
                address: 127.0.0.1:0
              services:
                - name: found
                  discovery: { kind: file, path: %s, interval: 50ms, allowed-networks: [ 127.0.0.1 ] }
                  health:
                    active: { path: /healthz, interval: 50ms }
              routes:
                - name: all
                  paths: [ / ]
                  service: found
              """
                  .formatted(endpoints))) {
        await().atMost(Duration.ofSeconds(5)).until(() -> a.probes.get() >= 2);
        assertThat(b.probes.get()).isZero();

        Files.writeString(
            endpoints,
            "endpoints:\n  - { host: 127.0.0.1, port: %d }\n  - { host: 127.0.0.1, port: %d }\n"
                .formatted(a.port(), b.port()));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.probes.get() >= 2);
        assertThat(endpoint(health(gw, "found"), b.authority()).at("/active/state").asText())
            .isEqualTo("healthy");

        Files.writeString(
            endpoints, "endpoints:\n  - { host: 127.0.0.1, port: %d }\n".formatted(b.port()));
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> health(gw, "found").get("endpoints").size() == 1);
        int stopped = a.probes.get();
        await()
            .during(Duration.ofMillis(400))
            .atMost(Duration.ofSeconds(2))
            .until(() -> a.probes.get() <= stopped + 1);
        assertThat(b.probes.get()).isGreaterThan(2);
      }
    }
  }

  @Test
  void aReloadThatLeavesTheServiceUnchangedKeepsItsProbesAndTheirState() throws Exception {
    String yaml =
        """
        admin:
          address: 127.0.0.1:0
        services:
          - name: pair
            targets: [ "%s", "%s" ]
            health:
              active: { path: /healthz, interval: 50ms, unhealthy-threshold: 2 }
        routes:
          - name: %s
            paths: [ / ]
            service: pair
        """;
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b");
        GatewayFixture gw =
            GatewayFixture.start(yaml.formatted(a.authority(), b.authority(), "first"))) {
      b.healthStatus.set(500);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> activeState(gw, "pair", b.authority()).equals("unhealthy"));
      long probesBefore = endpoint(health(gw, "pair"), a.authority()).at("/active/probes").asLong();

      gw.rewriteConfig(yaml.formatted(a.authority(), b.authority(), "second"));
      assertThat(gw.adminPost("/reload").statusCode()).isEqualTo(200);

      JsonNode after = health(gw, "pair");
      // The same checker: b is still known to be down, and a's probe count went on.
      assertThat(endpoint(after, b.authority()).at("/active/state").asText())
          .isEqualTo("unhealthy");
      assertThat(endpoint(after, a.authority()).at("/active/probes").asLong())
          .isGreaterThanOrEqualTo(probesBefore);
      for (int i = 0; i < 5; i++) {
        assertThat(gw.get("/x").body()).isEqualTo("a");
      }
    }
  }

  @Test
  void whenEveryEndpointIsDownFailAnswers503AndTryAllStillServes() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: strict
                    targets: [ "%1$s" ]
                    health:
                      active: { path: /healthz, interval: 50ms, unhealthy-threshold: 1 }
                      all-unhealthy: fail
                  - name: lenient
                    targets: [ "%1$s" ]
                    health:
                      active: { path: /healthz, interval: 50ms, unhealthy-threshold: 1 }
                      all-unhealthy: try-all
                routes:
                  - name: strict
                    paths: [ /strict ]
                    service: strict
                  - name: lenient
                    paths: [ /lenient ]
                    service: lenient
                """
                    .formatted(a.authority()))) {
      a.healthStatus.set(503);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  activeState(gw, "strict", a.authority()).equals("unhealthy")
                      && activeState(gw, "lenient", a.authority()).equals("unhealthy"));

      HttpResponse<String> strict = gw.get("/strict");
      assertThat(strict.statusCode()).isEqualTo(503);
      assertThat(strict.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(strict.body()).contains("no-healthy-upstream");
      assertThat(health(gw, "strict").get("available").asInt()).isZero();
      assertThat(health(gw, "strict").get("all_unhealthy").asText()).isEqualTo("fail");

      HttpResponse<String> lenient = gw.get("/lenient");
      assertThat(lenient.statusCode()).isEqualTo(200);
      assertThat(lenient.body()).isEqualTo("a");
    }
  }
}
