package io.portico.upstream.discovery;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.portico.spi.config.NetworkRules;
import io.portico.upstream.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides which addresses a registry may send requests to: the defence against a registry an
 * attacker can write to pointing the gateway at its own host or at a cloud metadata service.
 *
 * <p>An address is refused when it is in {@code denied-networks}; else, when {@code
 * allowed-networks} is written, when it is outside them; else when it is in one of the {@link
 * #BUILT_IN_REFUSALS} (loopback, link-local with the metadata services, unspecified, multicast,
 * broadcast). A network of the built-in refusals listed in {@code allowed-networks} is therefore
 * accepted. Only discovered endpoints are checked: targets written in the config are trusted.
 *
 * <p>An IPv6 address that embeds an IPv4 address ({@code ::ffff:a.b.c.d} IPv4-mapped, {@code
 * ::a.b.c.d} IPv4-compatible, {@code 64:ff9b::a.b.c.d} NAT64, {@code 2002:AABB:CCDD::/48} 6to4) is
 * judged by the IPv4 address it embeds, see {@link EmbeddedIpv4}: {@code ::ffff:127.0.0.1} is
 * loopback, and {@code allowed-networks: [10.0.0.0/8]} accepts {@code ::ffff:10.1.2.3}. A {@code
 * denied-networks} entry refuses an address when it matches either form.
 *
 * <p>Immutable and thread-safe; checks the resolved address, the one connections go to, so a name
 * that resolves to a refused address is refused too.
 */
public final class AddressFilter {

  /** A built-in refusal: a network and why it is refused. */
  public record Refusal(String network, String what) {}

  /** The networks refused unless {@code allowed-networks} lists them. */
  public static final List<Refusal> BUILT_IN_REFUSALS =
      List.of(
          new Refusal("127.0.0.0/8", "loopback"),
          new Refusal("::1/128", "loopback"),
          new Refusal("169.254.0.0/16", "link-local, cloud metadata"),
          new Refusal("fe80::/10", "link-local"),
          new Refusal("fd00:ec2::254/128", "cloud metadata"),
          new Refusal("0.0.0.0/8", "unspecified"),
          new Refusal("::/128", "unspecified"),
          new Refusal("224.0.0.0/4", "multicast"),
          new Refusal("ff00::/8", "multicast"),
          new Refusal("255.255.255.255/32", "broadcast"));

  /** The rule of a CIDR item, for config problems. */
  public static final String CIDR_RULE =
      "an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32";

  private record Rule(IpSubnetFilterRule match, String text, String what) {}

  private static final List<Rule> BUILT_IN = builtIn();

  private final List<Rule> allowed;
  private final List<Rule> denied;

  private AddressFilter(List<Rule> allowed, List<Rule> denied) {
    this.allowed = allowed;
    this.denied = denied;
  }

  /** The filter of {@code limits}, whose networks were checked when the config was read. */
  public static AddressFilter of(DiscoveryLimits limits) {
    return new AddressFilter(
        rules(limits.allowedNetworks(), "allowed-networks"),
        rules(limits.deniedNetworks(), "denied-networks"));
  }

  /**
   * Why {@code address} is refused ({@code "169.254.0.0/16, link-local, cloud metadata"}), or null
   * when it is accepted.
   */
  public @Nullable String refusal(InetSocketAddress address) {
    InetSocketAddress judged = EmbeddedIpv4.judged(address);
    for (Rule r : denied) {
      if (r.match().matches(address) || r.match().matches(judged)) {
        return r.text() + ", " + r.what() + embedded(address, judged);
      }
    }
    if (!allowed.isEmpty()) {
      for (Rule r : allowed) {
        if (r.match().matches(judged)) {
          return null;
        }
      }
      return "outside allowed-networks" + embedded(address, judged);
    }
    for (Rule r : BUILT_IN) {
      if (r.match().matches(judged)) {
        return r.text() + ", " + r.what() + ": not in allowed-networks" + embedded(address, judged);
      }
    }
    return null;
  }

  private static String embedded(InetSocketAddress address, InetSocketAddress judged) {
    if (judged == address || judged.getAddress() == null) {
      return "";
    }
    return ", judged by its embedded IPv4 "
        + io.netty.util.NetUtil.toAddressString(judged.getAddress());
  }

  /** Why {@code endpoint} is refused, or null when it is accepted. */
  public @Nullable String refusal(Endpoint endpoint) {
    return refusal(endpoint.address());
  }

  /** Whether {@code text} is an address or CIDR block this filter can use. */
  public static boolean isNetwork(String text) {
    return NetworkRules.parse(text, IpFilterRuleType.ACCEPT) != null;
  }

  private static List<Rule> rules(List<String> networks, String key) {
    List<Rule> out = new ArrayList<>();
    for (String n : networks) {
      IpSubnetFilterRule r = NetworkRules.parse(n, IpFilterRuleType.ACCEPT);
      if (r == null) {
        throw new IllegalArgumentException(key + ": " + n + " (expected: " + CIDR_RULE + ")");
      }
      out.add(new Rule(r, n.trim(), key));
    }
    return List.copyOf(out);
  }

  private static List<Rule> builtIn() {
    List<Rule> out = new ArrayList<>();
    for (Refusal r : BUILT_IN_REFUSALS) {
      IpSubnetFilterRule match = NetworkRules.parse(r.network(), IpFilterRuleType.ACCEPT);
      if (match == null) {
        throw new IllegalStateException("not a network: " + r.network());
      }
      out.add(new Rule(match, r.network(), r.what()));
    }
    return List.copyOf(out);
  }
}
