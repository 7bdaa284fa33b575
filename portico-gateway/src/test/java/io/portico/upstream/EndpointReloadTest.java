package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoint sources and pools across reloads of a running gateway, over real sockets: an unchanged
 * service keeps its source and warm connections; a changed one gets a new source, the old one
 * closes, and the connections to the targets it dropped close too, at once when idle and after
 * their exchange when busy.
 */
class EndpointReloadTest {

  private TestOrigin a;
  private TestOrigin b;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    a = TestOrigin.start("a");
    b = TestOrigin.start("b");
    gw = GatewayFixture.start(config("all", a));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    a.close();
    b.close();
  }

  /** A service on {@code target}, pooled connections kept a minute, and one route. */
  private static String config(String route, TestOrigin target) {
    return """
        services:
          - name: backend
            discovery: static
            targets: [ "%s" ]
            pool: { idle-timeout: 60s }
        routes:
          - name: %s
            paths: [ "/" ]
            service: backend
        """
        .formatted(target.authority(), route);
  }

  private EndpointSource source() {
    return gw.gateway().snapshot().services().get("backend").source();
  }

  private void reload(String yaml) throws Exception {
    gw.rewriteConfig(yaml);
    assertThat(gw.gateway().reload().applied()).isTrue();
  }

  @Test
  void aReloadThatLeavesTheTargetsKeepsTheSourceAndTheWarmConnection() throws Exception {
    assertThat(gw.get("/hello").body()).isEqualTo("a");
    EndpointSource before = source();

    reload(config("renamed", a));

    assertThat(source()).isSameAs(before);
    assertThat(before.status().state()).isEqualTo(EndpointSource.State.READY);
    assertThat(gw.get("/hello").body()).isEqualTo("a");
    assertThat(a.connections()).isEqualTo(1);
    assertThat(a.openConnections()).isEqualTo(1);
  }

  @Test
  void aReloadThatReplacesATargetClosesTheOldSourceAndTheIdleConnection() throws Exception {
    assertThat(gw.get("/hello").body()).isEqualTo("a");
    EndpointSource before = source();
    assertThat(a.openConnections()).isEqualTo(1);

    reload(config("all", b));

    assertThat(source()).isNotSameAs(before);
    assertThat(before.status().state()).isEqualTo(EndpointSource.State.CLOSED);
    await().atMost(Duration.ofSeconds(1)).until(() -> a.openConnections() == 0);
    assertThat(gw.get("/hello").body()).isEqualTo("b");
  }

  @Test
  void aRequestInFlightToARemovedTargetFinishesThenItsConnectionCloses() throws Exception {
    CompletableFuture<HttpResponse<String>> slow =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(gw.uri("/delay/500")).build(),
                HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> a.requestCount() == 1);

    reload(config("all", b));

    assertThat(a.openConnections()).as("busy: still open").isEqualTo(1);
    assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(1)).until(() -> a.openConnections() == 0);
    assertThat(a.connections()).isEqualTo(1);
    assertThat(gw.get("/hello").body()).isEqualTo("b");
  }

  @Test
  void shutdownClosesTheSources() throws Exception {
    EndpointSource running = source();

    gw.close();

    assertThat(running.status().state()).isEqualTo(EndpointSource.State.CLOSED);
  }
}
