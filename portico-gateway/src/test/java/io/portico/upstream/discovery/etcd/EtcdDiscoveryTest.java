package io.portico.upstream.discovery.etcd;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code discovery: { kind: etcd }} in a running gateway against a real etcd started by the test:
 * instances under a prefix, changes seen by the watch, etcd stopped under a stream of requests (no
 * request fails, its return is picked up), and values that are not instances ignored. Skipped only
 * when the {@code etcd} binary is missing ({@code apt-get install etcd-server}).
 */
class EtcdDiscoveryTest {

  @TempDir Path dir;
  private EtcdServer etcd;
  private TestOrigin a;
  private TestOrigin b;
  private GatewayFixture gw;
  private DiscoveredService users;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        EtcdServer.binary() != null,
        "the etcd binary is not on the PATH; install Debian's etcd-server to run this test");
    etcd = EtcdServer.start(dir);
    a = TestOrigin.start("a");
    b = TestOrigin.start("b");
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, a, b, etcd);
  }

  private void startGateway(boolean allowEmpty) throws Exception {
    users =
        DiscoveredService.startUsers(
            """
            discovery:
              kind: etcd
              endpoints: [ "%s" ]
              prefix: /services/users/
              allow-empty: %s
              allowed-networks: [ 127.0.0.1 ]
            """
                .formatted(etcd.url(), allowEmpty));
    gw = users.gateway();
  }

  private static String instance(TestOrigin o, int weight) {
    return "{\"host\":\"127.0.0.1\",\"port\":" + o.port() + ",\"weight\":" + weight + "}";
  }

  private EndpointSource source() {
    return users.source();
  }

  private Set<String> bodies(int requests) throws Exception {
    return users.bodies(requests);
  }

  @Test
  void theInstancesUnderThePrefixAreTheEndpointsAndTheWatchFollowsChanges() throws Exception {
    etcd.put("/services/users/a", instance(a, 2));
    etcd.put("/services/usersx/b", instance(b, 1));
    startGateway(false);

    assertThat(source().endpoints())
        .containsExactly(
            new Endpoint(
                new java.net.InetSocketAddress("127.0.0.1", a.port()), "127.0.0.1:" + a.port(), 2));

    etcd.put("/services/users/b", instance(b, 1));
    etcd.delete("/services/users/a");

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(bodies(2)).containsExactly("b"));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);
  }

  @Test
  void instancesNamingTheMetadataServiceOrALinkLocalAddressAreRefused() throws Exception {
    etcd.put("/services/users/a", instance(a, 1));
    startGateway(false);
    assertThat(bodies(2)).containsExactly("a");

    etcd.put("/services/users/metadata", "{\"host\":\"169.254.169.254\",\"port\":80}");
    etcd.put("/services/users/v6", "{\"host\":\"fe80::1\",\"port\":80}");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(users.status().path("left_out").asText())
                    .contains("2 of 3 endpoint(s) refused")
                    .contains("169.254.169.254:80")
                    .contains("[fe80::1]:80"));
    assertThat(source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("127.0.0.1:" + a.port());
    assertThat(bodies(4)).containsExactly("a");
  }

  @Test
  void etcdStoppedUnderAStreamOfRequestsFailsNoneAndItsReturnIsPickedUp() throws Exception {
    etcd.put("/services/users/a", instance(a, 1));
    etcd.put("/services/users/b", instance(b, 1));
    startGateway(false);

    RequestStream stream = RequestStream.get(gw, "/hello");
    try {
      etcd.stop();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> source().status().state() == EndpointSource.State.STALE);
      JsonNode status = users.status();
      assertThat(status.path("state").asText()).isEqualTo("stale");
      assertThat(status.path("endpoints").asInt()).isEqualTo(2);

      etcd.launch();
      etcd.delete("/services/users/a");
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> assertThat(source().endpoints()).hasSize(1));
      assertThat(source().status().state()).isEqualTo(EndpointSource.State.READY);
    } finally {
      stream.close();
    }
    assertThat(stream.failures()).isEmpty();
    assertThat(bodies(2)).containsExactly("b");
  }

  @Test
  void aValueThatIsNotAnInstanceIsIgnoredAndAnEmptyPrefixKeepsTheLastEndpoints() throws Exception {
    etcd.put("/services/users/a", instance(a, 1));
    startGateway(false);

    etcd.put("/services/users/b", "{\"host\":\"127.0.0.1\",\"port\":\"many\"}");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(source().status().lastError()).contains("port"));
    assertThat(bodies(2)).containsExactly("a");

    etcd.delete("/services/users/b");
    etcd.delete("/services/users/a");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(source().status().lastError()).contains("allow-empty"));
    assertThat(bodies(2)).containsExactly("a");
  }

  @Test
  void anEmptyPrefixEmptiesAServiceThatAllowsIt() throws Exception {
    etcd.put("/services/users/a", instance(a, 1));
    startGateway(true);

    etcd.delete("/services/users/a");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> source().status().state() == EndpointSource.State.EMPTY);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(503);
  }
}
