package io.portico.admin;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Which {@code Host} values the admin listener answers: a defence against DNS rebinding, where a
 * web page on {@code attacker.example} re-points its name at 127.0.0.1 and has the browser call the
 * admin API as a "same-origin" request carrying {@code Host: attacker.example}.
 *
 * <p>Accepted, with or without a port: the loopback names {@code localhost}, {@code 127.0.0.1} (any
 * of 127.0.0.0/8) and {@code [::1]}; an IP literal of the address the client actually connected to
 * (a browser names an address only when it was sent to it, never through a DNS name that could be
 * rebound); and the names of {@code admin.allowed-hosts}. Everything else, a missing or repeated
 * {@code Host} included, is refused. The same rule holds on every bind address: on a non-loopback
 * address the token is the authentication, and the host check keeps a browser on the operator's
 * network from being used to reach the listener under another name.
 *
 * <p>Immutable; shared by the admin connections.
 */
final class AdminHosts {

  private final Set<String> names;

  private AdminHosts(Set<String> names) {
    this.names = names;
  }

  /** The loopback names and {@code configured} (host names or IP literals, as validated). */
  static AdminHosts of(List<String> configured) {
    return new AdminHosts(
        configured.stream().map(AdminHosts::canonical).collect(Collectors.toSet()));
  }

  /** A configured name lower-cased, an IP literal in one spelling ({@code [::1]} for ::1). */
  private static String canonical(String name) {
    String bare =
        name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(bare);
    if (bytes == null) {
      return name.toLowerCase(Locale.ROOT);
    }
    String text = NetUtil.bytesToIpAddress(bytes);
    return bytes.length == 16 ? "[" + text + "]" : text;
  }

  /**
   * Whether a request with this {@code Host} value, on a connection to {@code local}, is served.
   */
  boolean allows(String host, InetSocketAddress local) {
    String name = hostPart(host);
    if (name == null) {
      return false;
    }
    if (name.equals("localhost") || names.contains(name)) {
      return true;
    }
    String literal = name.startsWith("[") ? name.substring(1, name.length() - 1) : name;
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
    if (bytes == null || (name.startsWith("[") != (bytes.length == 16))) {
      return false;
    }
    if (names.contains(canonical(name))) {
      return true;
    }
    try {
      InetAddress address = InetAddress.getByAddress(bytes);
      if (address.isLoopbackAddress()) {
        return true;
      }
      if (local != null && local.getAddress() != null) {
        return Arrays.equals(bytes, local.getAddress().getAddress());
      }
    } catch (java.net.UnknownHostException e) {
      return false; // not reached: the bytes are 4 or 16 long
    }
    return false;
  }

  /**
   * The host of a {@code Host} value, lower-cased, IPv6 literals in brackets; null when the value
   * is not {@code host[:port]} with a port of digits.
   */
  static @Nullable String hostPart(@Nullable String host) {
    if (host == null || host.isEmpty()) {
      return null;
    }
    String name;
    String port;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return null;
      }
      name = host.substring(0, close + 1);
      String rest = host.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return null;
      }
      port = rest.isEmpty() ? null : rest.substring(1);
    } else {
      int colon = host.indexOf(':');
      if (colon != host.lastIndexOf(':')) {
        return null;
      }
      name = colon < 0 ? host : host.substring(0, colon);
      port = colon < 0 ? null : host.substring(colon + 1);
    }
    if (port != null
        && (port.isEmpty()
            || port.length() > 5
            || !port.chars().allMatch(c -> c >= '0' && c <= '9'))) {
      return null;
    }
    return name.isEmpty() ? null : name.toLowerCase(Locale.ROOT);
  }
}
