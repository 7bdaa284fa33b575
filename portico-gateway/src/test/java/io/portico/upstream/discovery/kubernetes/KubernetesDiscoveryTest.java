package io.portico.upstream.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RequestStream;
import io.portico.testing.TestOrigin;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.discovery.DiscoveredService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code discovery: { kind: kubernetes }} in a running gateway against fabric8's mock API server in
 * CRUD mode: ready endpoints of the named port only, changes seen by the watch, and the API server
 * stopped under a stream of requests (no request fails, its return is picked up).
 */
class KubernetesDiscoveryTest {

  private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();
  private KubernetesMockServer api;
  private int apiPort;
  private KubernetesClient kube;
  private TestOrigin a;
  private TestOrigin b;
  private GatewayFixture gw;
  private DiscoveredService users;

  @BeforeEach
  void start() throws Exception {
    startApi(0);
    kube = api.createClient();
    a = TestOrigin.start("a");
    b = TestOrigin.start("b");
  }

  private void startApi(int port) {
    api =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    api.init(InetAddress.getLoopbackAddress(), port);
    apiPort = api.getPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    kube.close();
    api.destroy();
    a.close();
    b.close();
  }

  private void startGateway() throws Exception {
    users =
        DiscoveredService.startUsers(
            """
            discovery:
              kind: kubernetes
              api-server: "http://127.0.0.1:%d"
              namespace: shop
              service: users
              port: http
              allowed-networks: [ 127.0.0.1 ]
            """
                .formatted(apiPort));
    gw = users.gateway();
  }

  /** A slice of Service users with endpoint 127.0.0.1 on port {@code http}, ready or not. */
  private static EndpointSlice slice(String name, TestOrigin origin, boolean ready) {
    return slice(name, origin, ready, "127.0.0.1");
  }

  /** A slice of Service users with one endpoint of {@code addresses} on port {@code http}. */
  private static EndpointSlice slice(
      String name, TestOrigin origin, boolean ready, String... addresses) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .addToLabels(KubernetesEndpointSource.SERVICE_LABEL, "users")
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("metrics")
        .withPort(9090)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("http")
        .withPort(origin.port())
        .withProtocol("TCP")
        .endPort()
        .addNewEndpoint()
        .withAddresses(addresses)
        .withNewConditions()
        .withReady(ready)
        .endConditions()
        .endEndpoint()
        .build();
  }

  private void put(EndpointSlice s) {
    kube.discovery()
        .v1()
        .endpointSlices()
        .inNamespace("shop")
        .resource(s)
        .createOr(r -> r.update());
  }

  private EndpointSource source() {
    return users.source();
  }

  private Set<String> bodies(int requests) throws Exception {
    return users.bodies(requests);
  }

  @Test
  void readyEndpointsOfTheNamedPortAreUsedAndTheWatchFollowsChanges() throws Exception {
    put(slice("users-a", a, true));
    put(slice("users-b", b, false));
    startGateway();

    assertThat(source().endpoints())
        .containsExactly(
            new Endpoint(new InetSocketAddress("127.0.0.1", a.port()), "127.0.0.1:" + a.port(), 1));
    assertThat(bodies(3)).containsExactly("a");

    put(slice("users-b", b, true));
    put(slice("users-a", a, false));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(bodies(2)).containsExactly("b"));
  }

  @Test
  void aSliceNamingTheMetadataAddressIsFilteredAndTheRefusalShows() throws Exception {
    put(slice("users-a", a, true));
    put(slice("users-meta", a, true, "169.254.169.254"));
    startGateway();

    assertThat(source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("127.0.0.1:" + a.port());
    assertThat(bodies(3)).containsExactly("a");
    assertThat(source().status().leftOut())
        .isEqualTo(
            "1 of 2 endpoint(s) refused by the address filter: 169.254.169.254:"
                + a.port()
                + " (outside allowed-networks)");
    assertThat(users.status().path("left_out").asText()).contains("169.254.169.254");
  }

  @Test
  void theApiServerStoppedUnderAStreamOfRequestsFailsNoneAndItsReturnIsPickedUp() throws Exception {
    put(slice("users-a", a, true));
    put(slice("users-b", b, true));
    startGateway();
    assertThat(source().endpoints()).hasSize(2);

    RequestStream stream = RequestStream.get(gw, "/hello");
    try {
      api.destroy();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> source().status().state() == EndpointSource.State.STALE);
      JsonNode status = users.status();
      assertThat(status.path("state").asText()).isEqualTo("stale");
      assertThat(status.path("endpoints").asInt()).isEqualTo(2);

      kube.close();
      startApi(apiPort);
      kube = api.createClient();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> source().status().state() == EndpointSource.State.READY);
      // The mock API replays no missed events to a watch that resumes, so the change comes after.
      kube.discovery().v1().endpointSlices().inNamespace("shop").withName("users-a").delete();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(source().endpoints()).hasSize(1));
    } finally {
      stream.close();
    }
    assertThat(stream.failures()).isEmpty();
    assertThat(bodies(2)).containsExactly("b");
  }
}
