package io.portico.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses socket addresses and CIDRs without ever asking DNS: only IP literals (and {@code
 * localhost}) are accepted where an address is bound.
 */
final class Addresses {

  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

  private static final Pattern SHELL_VARIABLE = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");

  static final String BIND_RULE =
      "host:port with an IP address, [IPv6]:port or :port, with a port from 0 to 65535";
  static final String TARGET_RULE = "host:port or [IPv6]:port with a port from 1 to 65535";
  static final String HOST_RULE = "a host name such as admin.internal, an IPv4 address or [IPv6]";
  static final String CIDR_RULE = "a CIDR such as 10.0.0.0/8 or 2001:db8::/32, or an IP address";

  private Addresses() {}

  /** A host and port as written, the host without IPv6 brackets; null host means any address. */
  record HostPort(@Nullable String host, int port) {}

  /** An upstream target's host name or IP literal and port. */
  record Target(String host, int port) {}

  /**
   * Splits {@code host:port}, {@code [v6]:port} or {@code :port}; null when malformed or the port
   * is not a number from 0 to 65535.
   */
  static @Nullable HostPort split(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        return null;
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!host.contains(":")) {
        return null;
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0 || text.indexOf(':') != colon) {
        return null;
      }
      host = colon == 0 ? null : text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int p = Integer.parseInt(port);
    return p > 65535 ? null : new HostPort(host, p);
  }

  /** A listening address: {@code :port} is every interface. Null when invalid. */
  static @Nullable InetSocketAddress bindAddress(String text) {
    HostPort hp = split(text.trim());
    if (hp == null) {
      return null;
    }
    String host = hp.host();
    if (host == null) {
      return new InetSocketAddress(hp.port());
    }
    InetAddress address =
        host.equals("localhost") ? InetAddress.getLoopbackAddress() : ipLiteral(host);
    return address == null ? null : new InetSocketAddress(address, hp.port());
  }

  /**
   * The fix for a listening address written another way, appended to {@link #BIND_RULE}: a port
   * alone ({@code 8080}), a URL ({@code http://0.0.0.0:8080}), a host name, or no port; empty when
   * none is clear.
   */
  static String bindHint(String text) {
    String t = text.trim();
    if (t.startsWith("$")) {
      return variableHint(t);
    }
    if (!t.isEmpty() && t.length() <= 5 && t.chars().allMatch(Character::isDigit)) {
      return "; write :" + t + " for every interface, or 127.0.0.1:" + t + " for this host only";
    }
    int scheme = t.indexOf("://");
    if (scheme > 0) {
      String rest = t.substring(scheme + 3);
      int slash = rest.indexOf('/');
      String hostPort = slash < 0 ? rest : rest.substring(0, slash);
      return bindAddress(hostPort) != null
          ? "; write " + hostPort + ", without a scheme"
          : "; write host:port without a scheme";
    }
    HostPort hp = split(t);
    if (hp != null && hp.host() != null && !hp.host().equals("localhost")) {
      return "; a listener binds an IP address, never a host name: write 0.0.0.0:"
          + hp.port()
          + " for every interface, or the host's IP address";
    }
    if (hp != null) {
      return "";
    }
    if (t.contains(":") && !t.startsWith("[") && ipLiteral(t) != null) {
      return "; an IPv6 address is written in brackets before its port, as [::1]:8080";
    }
    boolean bracketed = t.startsWith("[") && t.endsWith("]");
    return ipLiteral(bracketed ? t.substring(1, t.length() - 1) : t) != null
            || t.equals("localhost")
        ? "; add the port, as " + t + ":8080"
        : "";
  }

  /**
   * For an address written as a shell variable ({@code $UPSTREAM}, {@code $UPSTREAM:8080}): how a
   * config reads the environment; empty for any other text.
   */
  static String variableHint(String text) {
    Matcher m = SHELL_VARIABLE.matcher(text.trim());
    return m.lookingAt()
        ? "; an environment variable is read as ${"
            + m.group(1)
            + "}, or ${"
            + m.group(1)
            + ":-default} with a default"
        : "";
  }

  /** An upstream target: a host name or IP literal and a port from 1 to 65535. */
  static @Nullable Target target(String text) {
    HostPort hp = split(text.trim());
    String host = hp == null ? null : hp.host();
    if (hp == null || host == null || hp.port() == 0) {
      return null;
    }
    Target target = new Target(host, hp.port());
    if (host.contains(":")) {
      return ipLiteral(host) == null ? null : target;
    }
    return HOST_NAME.matcher(host).matches() ? target : null;
  }

  /**
   * A host name or IP literal as written in a {@code Host} field, without a port: lower-cased, an
   * IPv6 literal in brackets ({@code ::1} is accepted and written {@code [::1]}); null otherwise.
   */
  static @Nullable String hostName(String text) {
    String t = text.trim();
    String bare = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
    if (bare.contains(":")) {
      return ipLiteral(bare) == null ? null : "[" + bare.toLowerCase(Locale.ROOT) + "]";
    }
    if (bare.length() != t.length() || bare.length() > 253) {
      return null;
    }
    return HOST_NAME.matcher(bare).matches() ? bare.toLowerCase(Locale.ROOT) : null;
  }

  /** True when {@code text} is an IPv4 or IPv6 CIDR, or a single address. */
  static boolean isCidr(String text) {
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    InetAddress address = ipLiteral(ip);
    if (address == null) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    String bits = text.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
      return false;
    }
    return Integer.parseInt(bits) <= address.getAddress().length * 8;
  }

  /** An IPv4 or IPv6 literal; null for anything else (never a DNS lookup). */
  static @Nullable InetAddress ipLiteral(String text) {
    if (text.isEmpty()) {
      return null;
    }
    boolean v6 = text.indexOf(':') >= 0;
    if (!v6 && !IPV4.matcher(text).matches()) {
      return null;
    }
    if (v6 && !text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
      return null;
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
