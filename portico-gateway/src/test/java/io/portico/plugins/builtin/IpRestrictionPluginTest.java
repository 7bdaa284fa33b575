package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.list;
import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.ConfigNodes.plain;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class IpRestrictionPluginTest {

  private final IpRestrictionFactory factory = new IpRestrictionFactory();

  private static boolean passes(Plugin plugin, String clientIp) {
    return passes(plugin, TestExchange.address(clientIp));
  }

  private static boolean passes(Plugin plugin, InetSocketAddress client) {
    return request(plugin, TestExchange.get("/admin").client(client)) == Outcome.proceed();
  }

  @Test
  void ipRestrictionDeniesAddressInDenyEvenWhenAllowed() {
    Plugin plugin =
        plugin(factory, map("allow", list("10.0.0.0/8"), "deny", list("10.0.0.66", "10.9.0.0/16")));

    assertThat(plugin.phases()).containsExactly(Phase.ACCESS);
    assertThat(passes(plugin, "10.0.0.66")).isFalse();
    assertThat(passes(plugin, "10.9.200.1")).isFalse();
    assertThat(passes(plugin, "10.0.0.67")).isTrue();
  }

  @Test
  void allowListRefusesEveryoneOutsideIt() {
    Plugin plugin = plugin(factory, map("allow", list("192.168.1.0/24", "2001:db8::/32")));

    assertThat(passes(plugin, "192.168.1.254")).isTrue();
    assertThat(passes(plugin, "2001:db8:ffff::1")).isTrue();
    assertThat(passes(plugin, "192.168.2.1")).isFalse();
    assertThat(passes(plugin, "2001:db9::1")).isFalse();
  }

  @Test
  void denyListAloneAdmitsEveryoneElse() {
    Plugin plugin = plugin(factory, map("deny", "203.0.113.0/24"));

    assertThat(passes(plugin, "203.0.113.9")).isFalse();
    assertThat(passes(plugin, "198.51.100.9")).isTrue();
    assertThat(passes(plugin, "::1")).isTrue();
  }

  @Test
  void matchesIpv4MappedIpv6ClientsAsIpv4() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 203, 0, 113, 9};
    InetSocketAddress client =
        new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 1);
    Plugin plugin = plugin(factory, map("deny", list("203.0.113.0/24")));

    assertThat(client.getAddress()).isInstanceOf(Inet6Address.class);
    assertThat(passes(plugin, client)).isFalse();
  }

  @Test
  void refusesClientsWithoutAKnownAddress() {
    Plugin plugin = plugin(factory, map("deny", list("203.0.113.0/24")));

    assertThat(passes(plugin, InetSocketAddress.createUnresolved("client.example", 1))).isFalse();
  }

  @Test
  void refusesWithAProblemOfTheConfiguredStatusAndMessage() {
    Plugin plugin =
        plugin(
            factory,
            map("allow", list("10.0.0.0/8"), "status", plain("404"), "message", "Nothing"));

    Outcome outcome = request(plugin, TestExchange.get("/admin").client("192.0.2.1"));

    assertThat(outcome).isInstanceOf(Reply.class);
    Reply reply = (Reply) outcome;
    assertThat(reply.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    assertThat(reply.problem())
        .isEqualTo(new Reply.ProblemDetail("ip-forbidden", "Not Found", "Nothing"));
  }

  @Test
  void refusesWith403ByDefault() {
    Plugin plugin = plugin(factory, map("deny", list("192.0.2.1")));

    Reply reply = (Reply) request(plugin, TestExchange.get("/admin").client("192.0.2.1"));

    assertThat(reply.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
    assertThat(reply.problem())
        .isEqualTo(
            new Reply.ProblemDetail("ip-forbidden", "Forbidden", "Your IP address is not allowed"));
  }

  @Test
  void rejectsEntriesThatAreNotAddressLiteralsOrBlocks() {
    String rule =
        " (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32)";
    assertThat(
            problems(
                factory,
                map(
                    "allow", list("10.0.0.300", "10.0.0.0/33", "localhost"),
                    "deny", list("2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1"))))
        .containsExactly(
            "routes[0].plugins.ip-restriction.allow[0]: \"10.0.0.300\"" + rule,
            "routes[0].plugins.ip-restriction.allow[1]: \"10.0.0.0/33\"" + rule,
            "routes[0].plugins.ip-restriction.allow[2]: \"localhost\"" + rule,
            "routes[0].plugins.ip-restriction.deny[0]: \"2001:db8::/129\"" + rule,
            "routes[0].plugins.ip-restriction.deny[1]: \"10.0.0.0/\"" + rule,
            "routes[0].plugins.ip-restriction.deny[2]: \"10.0.0.0/-1\"" + rule);
  }

  @Test
  void rejectsAConfigWithoutAddresses() {
    assertThat(problems(factory, map("status", plain("403"))))
        .containsExactly(
            "routes[0].plugins.ip-restriction: no addresses (expected: allow, deny or both, each a"
                + " list of addresses or CIDR blocks)");
  }

  @Test
  void rejectsAStatusThatIsNotAnError() {
    assertThat(problems(factory, map("deny", list("10.0.0.1"), "status", plain("200"))))
        .containsExactly(
            "routes[0].plugins.ip-restriction.status: \"200\" (expected: an integer from 400 to"
                + " 599)");
  }
}
