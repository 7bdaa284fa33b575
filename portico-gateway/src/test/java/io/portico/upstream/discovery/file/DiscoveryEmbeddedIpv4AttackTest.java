package io.portico.upstream.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.upstream.Endpoint;
import io.portico.upstream.discovery.DiscoveredService;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry an attacker writes to, listing IPv6 spellings of refused IPv4 addresses: IPv4-mapped
 * ({@code ::ffff:a.b.c.d}), IPv4-compatible ({@code ::a.b.c.d}), NAT64 ({@code 64:ff9b::/96}) and
 * 6to4 ({@code 2002::/16}). Each is judged by the IPv4 address it embeds, against the built-in
 * refusals, {@code allowed-networks} and {@code denied-networks}.
 */
class DiscoveryEmbeddedIpv4AttackTest {

  @TempDir Path dir;
  private GatewayFixture gw;
  private DiscoveredService users;

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw);
  }

  private void start(String limits, String... hosts) throws Exception {
    Path endpoints = dir.resolve("users.yaml");
    StringBuilder sb = new StringBuilder("endpoints:\n");
    for (String h : hosts) {
      sb.append("  - { host: \"").append(h).append("\", port: 80 }\n");
    }
    Files.writeString(endpoints, sb.toString());
    users =
        DiscoveredService.startUsers(
            """
            discovery: { kind: file, path: "%s", interval: 1h%s }
            """
                .formatted(endpoints, limits));
    gw = users.gateway();
  }

  @Test
  void ipv6SpellingsOfLoopbackAndMetadataAreRefusedByDefault() throws Exception {
    start(
        "",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "::7f00:2",
        "64:ff9b::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "::ffff:169.254.169.254",
        "::169.254.169.254",
        "2002:7f00:1::1",
        "2002:a9fe:a9fe::",
        "::0.0.0.0",
        "::ffff:0.0.0.0",
        "64:ff9b::e000:1",
        "::ffff:255.255.255.255",
        "::ffff:0:127.0.0.1",
        "64:ff9b::192.0.2.10",
        "2001:db8::10");

    assertThat(users.source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("[64:ff9b::192.0.2.10]:80", "[2001:db8::10]:80");
    assertThat(users.status().path("left_out").asText())
        .startsWith("14 of 16 endpoint(s) refused by the address filter: ")
        .contains("[::ffff:127.0.0.1]:80 = 127.0.0.1 (127.0.0.0/8, loopback")
        .contains(
            "[::7f00:2]:80 (127.0.0.0/8, loopback: not in allowed-networks, judged by its"
                + " embedded IPv4 127.0.0.2)");
  }

  @Test
  void teredoAndLocalUseNat64SpellingsAreJudgedByTheIpv4AddressTheyReach() throws Exception {
    start(
        "",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "2001:0:4136:e378:8000:63bf:5601:5601",
        "64:ff9b:1::127.0.0.1",
        "64:ff9b:1::a9fe:a9fe",
        "2001:0:4136:e378:8000:63bf:3fff:fdf5",
        "64:ff9b:1::192.0.2.11");

    assertThat(users.source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactlyInAnyOrder(
            "[2001:0:4136:e378:8000:63bf:3fff:fdf5]:80", "[64:ff9b:1::192.0.2.11]:80");
    assertThat(users.status().path("left_out").asText())
        .startsWith("4 of 6 endpoint(s) refused by the address filter: ")
        .contains("judged by its embedded IPv4 127.0.0.1")
        .contains("judged by its embedded IPv4 169.254.169.254");
  }

  @Test
  void allowedNetworksAreMatchedAgainstTheEmbeddedIpv4Address() throws Exception {
    start(
        ", allowed-networks: [ 10.0.0.0/8, 64:ff9b::/96 ]",
        "::ffff:10.1.2.3",
        "64:ff9b::10.4.5.6",
        "64:ff9b::127.0.0.1",
        "::ffff:169.254.169.254",
        "::10.7.8.9");

    assertThat(users.source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactlyInAnyOrder(
            "[::ffff:10.1.2.3]:80", "[64:ff9b::10.4.5.6]:80", "[::10.7.8.9]:80");
    assertThat(users.status().path("left_out").asText())
        .contains("outside allowed-networks, judged by its embedded IPv4 127.0.0.1")
        .contains("[::ffff:169.254.169.254]:80 = 169.254.169.254 (outside allowed-networks)");
  }

  @Test
  void deniedNetworksMatchEitherTheIpv6OrTheEmbeddedIpv4Form() throws Exception {
    start(
        ", denied-networks: [ 198.51.100.0/24, 64:ff9b::/96 ]",
        "::ffff:198.51.100.7",
        "2002:c633:6407::1",
        "64:ff9b::203.0.113.9",
        "::ffff:203.0.113.9");

    assertThat(users.source().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("[::ffff:203.0.113.9]:80");
  }
}
