package io.portico.upstream.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.discovery.DiscoveredService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code discovery: { kind: file }} in a running gateway, over real sockets: changes to the file
 * move traffic without a reload; a missing or unreadable file, or an empty list, keeps the last
 * endpoints unless the service allows empty; the state shows on {@code GET /status}.
 */
class FileDiscoveryTest {

  @TempDir Path dir;
  private TestOrigin a;
  private TestOrigin b;
  private GatewayFixture gw;
  private DiscoveredService users;
  private Path endpoints;

  @BeforeEach
  void start() throws Exception {
    a = TestOrigin.start("a");
    b = TestOrigin.start("b");
    endpoints = dir.resolve("users.yaml");
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, a, b);
  }

  private void startGateway(boolean allowEmpty) throws Exception {
    users =
        DiscoveredService.startUsers(
            """
            discovery:
              { kind: file, path: "%s", interval: 20ms, allow-empty: %s, allowed-networks: [ 127.0.0.1 ] }
            pool: { idle-timeout: 60s }
            """
                .formatted(endpoints, allowEmpty));
    gw = users.gateway();
  }

  /** Replaces the file at once, as a deployment tool does (write aside, rename over). */
  private void write(String text) throws Exception {
    Path tmp = dir.resolve("next.tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, endpoints, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String list(TestOrigin... origins) {
    StringBuilder sb = new StringBuilder("endpoints:\n");
    for (TestOrigin o : origins) {
      sb.append("  - { host: 127.0.0.1, port: ").append(o.port()).append(" }\n");
    }
    return sb.toString();
  }

  private EndpointSource source() {
    return users.source();
  }

  private JsonNode serviceStatus() throws Exception {
    return users.status();
  }

  @Test
  void aChangedFileMovesTrafficWithoutAReloadAndClosesTheRemovedEndpointsConnections()
      throws Exception {
    write(list(a));
    startGateway(false);
    assertThat(gw.get("/hello").body()).isEqualTo("a");
    String version = gw.gateway().snapshot().version();

    write(list(b));

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(gw.get("/hello").body()).isEqualTo("b"));
    assertThat(gw.gateway().snapshot().version()).isEqualTo(version);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);
    assertThat(serviceStatus().path("state").asText()).isEqualTo("ok");
    assertThat(serviceStatus().path("discovery").asText()).isEqualTo("file");
  }

  @Test
  void anUnreadableFileIsIgnoredAndTheLastEndpointsKeepServing() throws Exception {
    write(list(a));
    startGateway(false);

    write("endpoints: [ { host: 127.0.0.1, port: nope } ]\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> source().status().state() == EndpointSource.State.STALE);
    assertThat(gw.get("/hello").body()).isEqualTo("a");
    JsonNode status = serviceStatus();
    assertThat(status.path("state").asText()).isEqualTo("stale");
    assertThat(status.path("last_error").asText()).contains("port").contains("expected");
    assertThat(status.path("last_update").asText()).isNotEmpty();

    write("endpoints: [ { host: 127.0.0.1, port: 1 ");
    Thread.sleep(100);
    assertThat(gw.get("/hello").body()).isEqualTo("a");

    Files.delete(endpoints);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(serviceStatus().path("last_error").asText()).contains("no such file"));
    assertThat(gw.get("/hello").body()).isEqualTo("a");

    write(list(b));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(gw.get("/hello").body()).isEqualTo("b"));
    assertThat(serviceStatus().path("state").asText()).isEqualTo("ok");
  }

  @Test
  void anEmptyListKeepsTheLastEndpointsUnlessTheServiceAllowsEmpty() throws Exception {
    write(list(a));
    startGateway(false);

    write("endpoints: []\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> source().status().state() == EndpointSource.State.STALE);
    assertThat(gw.get("/hello").body()).isEqualTo("a");
    assertThat(serviceStatus().path("last_error").asText()).contains("allow-empty");
  }

  @Test
  void anEmptyListEmptiesAServiceThatAllowsIt() throws Exception {
    write(list(a));
    startGateway(true);
    assertThat(gw.get("/hello").body()).isEqualTo("a");

    write("endpoints: []\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> source().status().state() == EndpointSource.State.EMPTY);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(503);
  }

  @Test
  void aRegistryThatListsNothingAtStartShowsEmptyWithAReasonUntilItListsAnEndpoint()
      throws Exception {
    write("endpoints: []\n");
    startGateway(false);

    assertThat(gw.get("/hello").statusCode()).isEqualTo(503);
    JsonNode status = serviceStatus();
    assertThat(status.path("state").asText()).isEqualTo("empty");
    assertThat(status.path("source_state").asText()).isEqualTo("EMPTY");
    assertThat(status.path("endpoints").asInt(-1)).isZero();
    assertThat(status.path("reason").asText()).contains("lists no endpoint").contains("503");
    assertThat(status.path("last_update").asText()).isNotEmpty();

    write(list(a, b));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(serviceStatus().path("state").asText()).isEqualTo("ok"));
    status = serviceStatus();
    assertThat(status.path("endpoints").asInt()).isEqualTo(2);
    assertThat(status.has("reason")).isFalse();
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void aMissingFileAtStartShowsErrorWithTheRegistrysLastError() throws Exception {
    startGateway(false);

    JsonNode status = serviceStatus();
    assertThat(status.path("state").asText()).isEqualTo("error");
    assertThat(status.path("endpoints").asInt(-1)).isZero();
    assertThat(status.path("last_error").asText()).contains("no such file");
    assertThat(status.path("reason").asText()).contains("no endpoint is known");
  }
}
