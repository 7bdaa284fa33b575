package io.portico.upstream.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import io.portico.upstream.Endpoint;
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
 * The limits every discovery kind shares, through the {@code file} kind in a running gateway: the
 * address filter (by default no loopback, link-local, metadata, unspecified or multicast address;
 * {@code allowed-networks} and {@code denied-networks}) and {@code max-endpoints}; what is left out
 * shows on {@code GET /status}. Static targets are not filtered.
 */
class FileDiscoveryLimitsTest {

  @TempDir Path dir;
  private TestOrigin a;
  private GatewayFixture gw;
  private DiscoveredService users;
  private Path endpoints;

  @BeforeEach
  void start() throws Exception {
    a = TestOrigin.start("a");
    endpoints = dir.resolve("users.yaml");
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, a);
  }

  private void startGateway(String limits) throws Exception {
    users =
        DiscoveredService.startUsers(
            """
            discovery: { kind: file, path: "%s", interval: 20ms%s }
            """
                .formatted(endpoints, limits));
    gw = users.gateway();
  }

  private void write(String text) throws Exception {
    Path tmp = dir.resolve("next.tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, endpoints, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String list(String... hostPorts) {
    StringBuilder sb = new StringBuilder("endpoints:\n");
    for (String hp : hostPorts) {
      int colon = hp.lastIndexOf(':');
      sb.append("  - { host: \"")
          .append(hp, 0, colon)
          .append("\", port: ")
          .append(hp.substring(colon + 1))
          .append(" }\n");
    }
    return sb.toString();
  }

  @Test
  void byDefaultLoopbackLinkLocalUnspecifiedAndMulticastAddressesAreRefused() throws Exception {
    write(
        list(
            "127.0.0.1:" + a.port(),
            "169.254.169.254:80",
            "fe80::1:80",
            "::1:80",
            "0.0.0.0:80",
            "224.0.0.1:80",
            "ff02::1:80",
            "::ffff:127.0.0.1:80",
            "192.0.2.10:8080"));
    startGateway("");

    assertThat(users.source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("192.0.2.10:8080");
    String leftOut = users.status().path("left_out").asText();
    assertThat(leftOut)
        .startsWith("8 of 9 endpoint(s) refused by the address filter: ")
        .contains("127.0.0.1:" + a.port() + " (127.0.0.0/8, loopback: not in allowed-networks)")
        .contains("169.254.169.254:80 (169.254.0.0/16, link-local, cloud metadata")
        .contains("[fe80::1]:80 (fe80::/10, link-local")
        .endsWith(", and 5 more");
    assertThat(users.status().path("state").asText()).isEqualTo("ok");
  }

  @Test
  void aListOfRefusedAddressesOnlyIsAnEmptyAnswerAndTheLastEndpointsKeepServing() throws Exception {
    write(list("127.0.0.1:" + a.port()));
    startGateway(", allowed-networks: [ 127.0.0.0/8 ], denied-networks: [ 127.0.0.2 ]");
    assertThat(users.bodies(2)).containsExactly("a");

    write(list("127.0.0.2:" + a.port(), "169.254.169.254:80"));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(users.status().path("last_error").asText())
                    .contains("no usable endpoint")
                    .contains("127.0.0.2:" + a.port() + " (127.0.0.2, denied-networks)")
                    .contains("169.254.169.254:80 (outside allowed-networks)"));
    assertThat(users.bodies(3)).containsExactly("a");
  }

  @Test
  void overMaxEndpointsTheFirstInTheOrderOfTheirAddressesAreKeptWhateverTheListOrder()
      throws Exception {
    write(list("192.0.2.5:80", "192.0.2.3:80", "192.0.2.1:80", "192.0.2.4:80", "192.0.2.2:80"));
    startGateway(", max-endpoints: 3");

    assertThat(users.source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("192.0.2.3:80", "192.0.2.1:80", "192.0.2.2:80");
    assertThat(users.status().path("left_out").asText())
        .isEqualTo("2 endpoint(s) over max-endpoints (3) left out");

    write(list("192.0.2.2:80", "192.0.2.4:80", "192.0.2.1:80", "192.0.2.5:80", "192.0.2.3:80"));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(users.source().endpoints())
                    .extracting(Endpoint::authority)
                    .containsExactly("192.0.2.2:80", "192.0.2.1:80", "192.0.2.3:80"));
  }

  @Test
  void staticTargetsOnLoopbackAreNotFiltered() throws Exception {
    gw =
        GatewayFixture.start(
            """
            services:
              - name: users
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: users
            """
                .formatted(a.port()));
    assertThat(gw.get("/hello").body()).isEqualTo("a");
  }
}
