package io.portico.upstream.health;

import static io.portico.upstream.health.ActiveHealthCheckTest.endpoint;
import static io.portico.upstream.health.ActiveHealthCheckTest.health;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC health probes ({@code grpc.health.v1.Health/Check}) against real grpc-java servers whose
 * {@link HealthStatusManager} flips between SERVING and NOT_SERVING; the admin API shows the target
 * taken out of and back into the service's available endpoints.
 */
class GrpcHealthCheckTest {

  private final GrpcPeers grpc = new GrpcPeers();
  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    grpc.close();
  }

  /** A gRPC server with the health service; it reports {@code marker} SERVING to tell it apart. */
  private HealthStatusManager server(String marker, List<String> authorities) throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus(marker, ServingStatus.SERVING);
    health.setStatus("shop.Cart", ServingStatus.SERVING);
    Server s =
        grpc.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService()));
    servers.add(s);
    authorities.add("127.0.0.1:" + ((InetSocketAddress) s.getListenSockets().get(0)).getPort());
    return health;
  }

  private static GatewayFixture gateway(List<String> targets, String active) throws Exception {
    return GatewayFixture.start(
        """
        admin:
          address: 127.0.0.1:0
        listeners:
          - address: 127.0.0.1:0
            http2: true
        services:
          - name: shop
            targets: [ %s ]
            protocol: h2c
            health:
              active:
        %s
        routes:
          - name: grpc
            paths: [ /grpc.health.v1.Health/ ]
            service: shop
        """
            .formatted(
                String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList()),
                active.indent(8)));
  }

  private static String state(GatewayFixture gw, String authority) throws Exception {
    return endpoint(health(gw, "shop"), authority).path("active").path("state").asText();
  }

  private static String lastResult(GatewayFixture gw, String authority) throws Exception {
    return endpoint(health(gw, "shop"), authority).path("active").path("last_result").asText();
  }

  @Test
  void aTargetNotServingIsTakenOutAndReturnsWhenServingAgain() throws Exception {
    List<String> targets = new ArrayList<>();
    server("a", targets);
    HealthStatusManager b = server("b", targets);
    try (GatewayFixture gw =
        gateway(
            targets,
            """
            type: grpc
            service: shop.Cart
            interval: 200ms
            timeout: 200ms
            unhealthy-threshold: 2
            healthy-threshold: 2
            """)) {
      // Warmed up: both answered SERVING and are (still, or again) healthy.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  targets.stream()
                      .allMatch(
                          t -> {
                            try {
                              return lastResult(gw, t).equals("SERVING")
                                  && state(gw, t).equals("healthy");
                            } catch (Exception e) {
                              throw new IllegalStateException(e);
                            }
                          }));

      b.setStatus("shop.Cart", ServingStatus.NOT_SERVING);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> state(gw, targets.get(1)).equals("unhealthy"));
      JsonNode h = health(gw, "shop");
      assertThat(endpoint(h, targets.get(1)).get("available").asBoolean()).isFalse();
      assertThat(endpoint(h, targets.get(1)).at("/active/last_result").asText())
          .isEqualTo("NOT_SERVING");
      assertThat(endpoint(h, targets.get(0)).get("available").asBoolean()).isTrue();
      assertThat(h.get("available").asInt()).isEqualTo(1);

      b.setStatus("shop.Cart", ServingStatus.SERVING);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> state(gw, targets.get(1)).equals("healthy"));
      assertThat(endpoint(health(gw, "shop"), targets.get(1)).get("available").asBoolean())
          .isTrue();
      assertThat(health(gw, "shop").get("available").asInt()).isEqualTo(2);
    }
  }

  @Test
  void anUnknownServiceAndAServerGoneAreUnhealthyWithTheirReason() throws Exception {
    List<String> targets = new ArrayList<>();
    HealthStatusManager a = server("a", targets);
    try (GatewayFixture gw =
        gateway(
            targets,
            """
            type: grpc
            service: shop.Missing
            interval: 200ms
            timeout: 200ms
            unhealthy-threshold: 1
            """)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> state(gw, targets.get(0)).equals("unhealthy"));
      assertThat(lastResult(gw, targets.get(0))).startsWith("grpc-status 5 NOT_FOUND");

      a.enterTerminalState(); // every service NOT_SERVING, as a server shutting down reports
      servers.get(0).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> lastResult(gw, targets.get(0)).startsWith("connect failed"));
    }
  }

  @Test
  void checksTheServerAsAWholeWithoutAServiceName() throws Exception {
    List<String> targets = new ArrayList<>();
    HealthStatusManager a = server("a", targets);
    try (GatewayFixture gw =
        gateway(
            targets,
            """
            type: grpc
            authority: shop.internal
            interval: 200ms
            timeout: 200ms
            unhealthy-threshold: 1
            healthy-threshold: 1
            """)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> lastResult(gw, targets.get(0)).equals("SERVING"));

      a.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> state(gw, targets.get(0)).equals("unhealthy"));
      assertThat(lastResult(gw, targets.get(0))).isEqualTo("NOT_SERVING");
    }
  }
}
