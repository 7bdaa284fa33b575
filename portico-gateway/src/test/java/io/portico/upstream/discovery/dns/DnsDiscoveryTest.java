package io.portico.upstream.discovery.dns;

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
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code discovery: { kind: dns }} in a running gateway against a name server started by the test:
 * SRV targets with their ports, TTLs honoured within the clamps, and the registry's faults (stopped
 * under a stream of requests, garbage answers) never failing a request.
 */
class DnsDiscoveryTest {

  private TestDnsServer dns;
  private TestOrigin a;
  private TestOrigin b;
  private GatewayFixture gw;
  private DiscoveredService users;

  @BeforeEach
  void start() throws Exception {
    dns = TestDnsServer.start();
    a = TestOrigin.start("a");
    b = TestOrigin.start("b");
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, a, b, dns);
  }

  /**
   * Starts the gateway with {@code discovery}, a flow map; the origins listen on loopback, which a
   * registry may name only when the service lists it in {@code allowed-networks}.
   */
  private void startGateway(String discovery) throws Exception {
    String allowingLoopback =
        discovery.substring(0, discovery.lastIndexOf('}')) + ", allowed-networks: [ 127.0.0.1 ] }";
    users =
        DiscoveredService.startUsers(
            """
            discovery: %s
            retry: { attempts: 2 }
            """
                .formatted(allowingLoopback));
    gw = users.gateway();
  }

  private EndpointSource source() {
    return users.source();
  }

  private Set<String> bodies(int requests) throws Exception {
    return users.bodies(requests);
  }

  @Test
  void srvRecordsGiveTheTargetsWithTheirPortsAndChangesFollowTheTtl() throws Exception {
    dns.srv("_http._tcp.users.test", 1, "node.users.test", a.port(), b.port());
    startGateway(
        "{ kind: dns, type: SRV, name: _http._tcp.users.test, servers: [ \"%s\" ], min-ttl: 50ms }"
            .formatted(dns.address()));

    assertThat(source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactlyInAnyOrder("node.users.test:" + a.port(), "node.users.test:" + b.port());
    assertThat(bodies(4)).containsExactlyInAnyOrder("a", "b");

    dns.srv("_http._tcp.users.test", 1, "node.users.test", b.port());

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(source().endpoints()).hasSize(1));
    assertThat(bodies(4)).containsExactly("b");
  }

  @Test
  void addressesOfLoopbackAndTheMetadataServiceAreRefusedUnlessAllowed() throws Exception {
    dns.a("users.test", 1, "127.0.0.1", "169.254.169.254", "192.0.2.10");
    users =
        DiscoveredService.startUsers(
            "discovery: { kind: dns, name: users.test, port: %d, servers: [ \"%s\" ] }"
                .formatted(a.port(), dns.address()));
    gw = users.gateway();

    assertThat(source().endpoints())
        .extracting(e -> e.address().getAddress().getHostAddress())
        .containsExactly("192.0.2.10");
    assertThat(source().status().leftOut())
        .contains("2 of 3 endpoint(s) refused")
        .contains("127.0.0.1:" + a.port() + " (127.0.0.0/8, loopback: not in allowed-networks)")
        .contains("169.254.169.254:" + a.port() + " (169.254.0.0/16, link-local, cloud metadata");
  }

  @Test
  void anAllowedNetworkLetsLoopbackThroughAndTheRestStaysRefused() throws Exception {
    dns.a("users.test", 1, "127.0.0.1", "169.254.169.254");
    startGateway(
        "{ kind: dns, name: users.test, port: %d, servers: [ \"%s\" ], min-ttl: 50ms }"
            .formatted(a.port(), dns.address()));

    assertThat(bodies(3)).containsExactly("a");
    assertThat(source().endpoints()).hasSize(1);
    assertThat(users.status().path("left_out").asText())
        .contains("169.254.169.254:" + a.port() + " (outside allowed-networks)");
  }

  @Test
  void aRecordsAreQueriedAgainNoSoonerThanMinTtlNorLaterThanMaxTtl() throws Exception {
    dns.a("users.test", 0, "127.0.0.1");
    startGateway(
        "{ kind: dns, name: users.test, port: %d, servers: [ \"%s\" ], min-ttl: 500ms }"
            .formatted(a.port(), dns.address()));
    assertThat(bodies(1)).containsExactly("a");

    int before = dns.queries();
    Thread.sleep(1_200);
    int clampedUp = dns.queries() - before;
    assertThat(clampedUp).as("a TTL of 0 is clamped up to min-ttl").isBetween(1, 3);
  }

  @Test
  void aLongTtlIsClampedDownToMaxTtl() throws Exception {
    dns.a("users.test", 3600, "127.0.0.1");
    startGateway(
        "{ kind: dns, name: users.test, port: %d, servers: [ \"%s\" ], min-ttl: 50ms, max-ttl: 200ms }"
            .formatted(a.port(), dns.address()));

    int before = dns.queries();
    await().atMost(Duration.ofSeconds(3)).until(() -> dns.queries() >= before + 2);
  }

  @Test
  void aStoppedNameServerUnderAStreamOfRequestsFailsNoneAndItsReturnIsPickedUp() throws Exception {
    dns.srv("_http._tcp.users.test", 1, "node.users.test", a.port(), b.port());
    startGateway(
        ("{ kind: dns, type: SRV, name: _http._tcp.users.test, servers: [ \"%s\" ], min-ttl: 50ms,"
                + " timeout: 200ms }")
            .formatted(dns.address()));

    RequestStream stream = RequestStream.start(4, () -> gw.get("/hello"));
    try {
      dns.stop();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> source().status().state() == EndpointSource.State.STALE);
      JsonNode status = users.status();
      assertThat(status.path("state").asText()).isEqualTo("stale");
      assertThat(status.path("endpoints").asInt()).isEqualTo(2);
      int during = stream.ok();
      await()
          .alias("requests keep succeeding while DNS is down")
          .atMost(Duration.ofSeconds(5))
          .until(() -> stream.ok() > during + 20);

      dns.srv("_http._tcp.users.test", 1, "node.users.test", b.port());
      dns.restart();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> source().status().state() == EndpointSource.State.READY);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(source().endpoints()).hasSize(1));
    } finally {
      stream.close();
    }
    assertThat(stream.failures()).isEmpty();
    assertThat(bodies(4)).containsExactly("b");
  }

  @Test
  void aGarbageAnswerIsIgnoredAndNoRecordsKeepTheLastEndpointsUnlessAllowed() throws Exception {
    dns.a("users.test", 1, "127.0.0.1");
    startGateway(
        "{ kind: dns, name: users.test, port: %d, servers: [ \"%s\" ], min-ttl: 50ms }"
            .formatted(a.port(), dns.address()));

    dns.garbage(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(source().status().lastError()).contains("4").contains("bytes"));
    assertThat(source().status().state()).isEqualTo(EndpointSource.State.STALE);
    assertThat(bodies(2)).containsExactly("a");

    dns.garbage(false);
    dns.remove("users.test", io.netty.handler.codec.dns.DnsRecordType.A);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(source().status().lastError()).contains("allow-empty"));
    assertThat(bodies(2)).containsExactly("a");
  }

  @Test
  void noRecordsEmptyAServiceThatAllowsIt() throws Exception {
    dns.a("users.test", 1, "127.0.0.1");
    startGateway(
        "{ kind: dns, name: users.test, port: %d, servers: [ \"%s\" ], min-ttl: 50ms, allow-empty: true }"
            .formatted(a.port(), dns.address()));
    assertThat(bodies(1)).containsExactly("a");

    dns.remove("users.test", io.netty.handler.codec.dns.DnsRecordType.A);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> source().status().state() == EndpointSource.State.EMPTY);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(503);
  }
}
