package io.portico.spi.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * An IP address or CIDR block written in a config ({@code 10.0.0.0/8}, {@code 2001:db8::/32},
 * {@code 192.0.2.7}) as a Netty {@link IpSubnetFilterRule}: what the {@code ip-restriction} plugin
 * and the discovery address filter read. Literals only, never a DNS name. Stateless.
 */
public final class NetworkRules {

  private NetworkRules() {}

  /**
   * Parses {@code entry} ({@code address} or {@code address/prefix}, surrounding blanks ignored)
   * into a rule of {@code type}; null when it is not an address literal or its prefix is not 0 to
   * the address's bit length.
   */
  public static @Nullable IpSubnetFilterRule parse(String entry, IpFilterRuleType type) {
    String text = entry.trim();
    int slash = text.indexOf('/');
    String literal = slash < 0 ? text : text.substring(0, slash);
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
    if (address == null) {
      return null;
    }
    int bits = address instanceof Inet4Address ? 32 : 128;
    int prefix = bits;
    if (slash >= 0) {
      String digits = text.substring(slash + 1);
      if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
        return null;
      }
      prefix = Integer.parseInt(digits);
      if (prefix > bits) {
        return null;
      }
    }
    return new IpSubnetFilterRule(address, prefix, type);
  }
}
