package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portico.app.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Problems found when a service's upstream side is built at start (a target whose host does not
 * resolve, a CA bundle that does not load) are reported like the parser's: at the line of the key
 * in the file and with the path {@code services[i].key}, not at the top of the file.
 */
class ServiceLoadProblemsTest {

  @TempDir Path dir;

  private Path config(String services) throws Exception {
    return Files.writeString(
        dir.resolve("portico.yaml"),
        """
        admin: off
        listeners:
          - address: 127.0.0.1:0
        runtime:
          io-threads: 1
          watch-config: false
          access-log: off
        """
            + services);
  }

  @Test
  void aTargetThatDoesNotResolveIsReportedAtItsLine() throws Exception {
    Path config =
        config(
            """
            services:
              - name: orders
                targets: [ "orders.no-such-host.invalid:8080" ]
            """);

    assertThatThrownBy(() -> Gateway.start(config, Map.of(), record -> {}).close())
        .isInstanceOf(Gateway.InvalidConfigException.class)
        .hasMessageContaining(
            config
                + ":10:14: services[0].targets: \"orders.no-such-host.invalid:8080\" (expected: a"
                + " resolvable host name; orders.no-such-host.invalid does not resolve from this"
                + " host: check its spelling, or write discovery: { kind: dns, name:"
                + " orders.no-such-host.invalid, port: 8080 } for a name that resolves later or"
                + " changes)");
  }

  @Test
  void aCaBundleThatDoesNotLoadIsReportedAtItsLine() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    Path config =
        config(
            """
            services:
              - name: orders
                targets: [ "https://127.0.0.1:8443" ]
                tls: { ca: %s }
            """
                .formatted(ca));

    assertThatThrownBy(() -> Gateway.start(config, Map.of(), record -> {}).close())
        .isInstanceOf(Gateway.InvalidConfigException.class)
        .hasMessageContaining(
            config
                + ":11:10: services[0].tls: cannot load the CA bundle or client certificate"
                + " (expected: PEM files that load): ");
  }
}
