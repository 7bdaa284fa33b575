package io.portico.upstream.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RequestStream;
import io.portico.testing.TestOrigin;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.discovery.DiscoveredService;
import io.portico.upstream.discovery.consul.FakeConsul.Instance;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code discovery: { kind: consul }} in a running gateway against a fake Consul HTTP API: passing
 * instances with the configured tags, changes picked up by the blocking query at once, and the
 * registry's faults (stopped under a stream of requests, garbage) failing no request.
 */
class ConsulDiscoveryTest {

  private FakeConsul consul;
  private TestOrigin a;
  private TestOrigin b;
  private GatewayFixture gw;
  private DiscoveredService users;

  @BeforeEach
  void start() throws Exception {
    consul = FakeConsul.start();
    a = TestOrigin.start("a");
    b = TestOrigin.start("b");
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, a, b, consul);
  }

  private void startGateway(String extra) throws Exception {
    users =
        DiscoveredService.startUsers(
            ("discovery: { kind: consul, address: \"%s\", service: users, tags: [ v2 ],"
                    + " allowed-networks: [ 127.0.0.1 ]%s }")
                .formatted(consul.address(), extra));
    gw = users.gateway();
  }

  private EndpointSource source() {
    return users.source();
  }

  private Set<String> bodies(int requests) throws Exception {
    return users.bodies(requests);
  }

  private static Instance v2(TestOrigin o, int weight) {
    return new Instance("127.0.0.1", o.port(), List.of("v2", "eu"), weight);
  }

  @Test
  void usesThePassingInstancesWithTheTagsAndFollowsChangesWithoutPolling() throws Exception {
    consul.set(v2(a, 3), new Instance("127.0.0.1", b.port(), List.of("v1"), 1));
    startGateway("");

    assertThat(source().endpoints())
        .containsExactly(
            new Endpoint(
                new java.net.InetSocketAddress("127.0.0.1", a.port()), "127.0.0.1:" + a.port(), 3));
    assertThat(bodies(3)).containsExactly("a");
    int requests = consul.requests();

    consul.set(v2(b, 1));

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(bodies(2)).containsExactly("b"));
    assertThat(consul.requests() - requests)
        .as("one blocking query returns the change, the next one waits")
        .isLessThanOrEqualTo(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);
  }

  @Test
  void aStoppedConsulUnderAStreamOfRequestsFailsNoneAndItsReturnIsPickedUp() throws Exception {
    consul.set(v2(a, 1), v2(b, 1));
    startGateway("");

    RequestStream stream = RequestStream.get(gw, "/hello");
    try {
      consul.stop();
      await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> source().status().state() == EndpointSource.State.STALE);
      JsonNode status = users.status();
      assertThat(status.path("state").asText()).isEqualTo("stale");
      assertThat(status.path("discovery").asText()).isEqualTo("consul");

      consul.set(v2(b, 1));
      consul.restart();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(source().endpoints()).hasSize(1));
      assertThat(source().status().state()).isEqualTo(EndpointSource.State.READY);
    } finally {
      stream.close();
    }
    assertThat(stream.failures()).isEmpty();
    assertThat(bodies(2)).containsExactly("b");
  }

  @Test
  void aGarbageAnswerIsIgnoredAndAnEmptyOneKeepsTheLastEndpointsUnlessAllowed() throws Exception {
    consul.set(v2(a, 1));
    startGateway("");

    consul.garbage(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(source().status().lastError()).contains("not JSON"));
    assertThat(bodies(2)).containsExactly("a");

    consul.garbage(false);
    consul.set();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(source().status().lastError()).contains("allow-empty"));
    assertThat(bodies(2)).containsExactly("a");
  }

  @Test
  void anEmptyAnswerEmptiesAServiceThatAllowsIt() throws Exception {
    consul.set(v2(a, 1));
    startGateway(", allow-empty: true");

    consul.set();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> source().status().state() == EndpointSource.State.EMPTY);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(503);
  }
}
