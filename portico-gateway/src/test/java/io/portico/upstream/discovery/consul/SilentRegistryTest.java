package io.portico.upstream.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import io.portico.upstream.discovery.DiscoveredService;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A registry that takes the connection and never answers: the gateway starts anyway (after the
 * bounded wait for a first answer) and {@code GET /status} says the service is waiting, with no
 * endpoint and a reason, rather than {@code ok}.
 */
class SilentRegistryTest {

  private ServerSocket silent;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private GatewayFixture gw;

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    for (Socket s : held) {
      s.close();
    }
    silent.close();
  }

  @Test
  void aRegistryThatHasNotAnsweredYetShowsWaitingWithAReason() throws Exception {
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept =
        new Thread(
            () -> {
              while (!silent.isClosed()) {
                try {
                  held.add(silent.accept());
                } catch (java.io.IOException e) {
                  return;
                }
              }
            });
    accept.setDaemon(true);
    accept.start();

    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: users
                discovery: { kind: consul, address: "http://127.0.0.1:%d", service: users, wait: 30s }
            routes:
              - name: all
                paths: [ "/" ]
                service: users
            """
                .formatted(silent.getLocalPort()));

    JsonNode status = new DiscoveredService(gw, "users").status();
    assertThat(status.path("state").asText()).isEqualTo("waiting");
    assertThat(status.path("source_state").asText()).isEqualTo("STARTING");
    assertThat(status.path("endpoints").asInt(-1)).isZero();
    assertThat(status.path("reason").asText()).contains("no answer from the registry yet");
    assertThat(status.has("last_update")).isFalse();
    assertThat(gw.get("/hello").statusCode()).isEqualTo(503);
  }
}
