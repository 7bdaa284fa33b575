package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portico.observe.ExchangeObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a gateway that cannot take its addresses fails cleanly, holding on to nothing. */
class GatewayStartTest {

  @TempDir Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void releasesItsListenerWhenTheAdminAddressIsTaken() throws Exception {
    int listener = freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = dir.resolve("portico.yaml");
      Files.writeString(
          file,
          """
          listeners:
            - address: 127.0.0.1:%d
          admin:
            address: 127.0.0.1:%d
          routes:
            - name: ping
              paths: [ "/ping" ]
              plugins:
                mock: { body: pong }
          runtime:
            io-threads: 1
            access-log: off
          """
              .formatted(listener, taken.getLocalPort()));

      assertThatThrownBy(() -> Gateway.start(file, Map.of(), ExchangeObserver.NONE))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Address already in use");
    }

    assertThat(canBind(listener)).as("the listener was closed").isTrue();
  }
}
