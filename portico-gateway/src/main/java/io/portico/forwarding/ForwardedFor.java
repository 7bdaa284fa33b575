package io.portico.forwarding;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the hops of {@code X-Forwarded-For} and of {@code Forwarded}'s {@code for=} parameters (RFC
 * 7239), left to right, each as an IP address or, when it is not one, null.
 *
 * <p>What counts as an address is deliberately narrow, because an element that becomes the client
 * address feeds rate-limit keys, ip-restriction and the access log, and what this class reads must
 * be what any upstream would read:
 *
 * <ul>
 *   <li>{@code X-Forwarded-For}: a bare IPv4 address in dotted-decimal without leading zeros, or a
 *       bare IPv6 address without zone. The header has no syntax for a port, so {@code 1.2.3.4:80},
 *       {@code [2001:db8::1]} and {@code [2001:db8::1]:80} are not addresses; nor are names, {@code
 *       unknown} and anything else.
 *   <li>{@code Forwarded}: {@code for=} with an IPv4 address, or a quoted {@code "[IPv6]"}, each
 *       optionally with a port ({@code "192.0.2.43:47011"}, {@code "[2001:db8::17]:4711"}, or an
 *       obfuscated port {@code "[2001:db8::17]:_p1"}), which RFC 7239 defines and which is dropped.
 *       Obfuscated identifiers ({@code _hidden}), {@code unknown}, an unbracketed IPv6 address, an
 *       element without {@code for=} and a malformed element are not addresses.
 * </ul>
 *
 * Stateless.
 */
final class ForwardedFor {

  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern NODE_PORT = Pattern.compile("\\d{1,5}|_[A-Za-z0-9._-]+");

  private ForwardedFor() {}

  /** The hops of the {@code X-Forwarded-For} field lines, in order; null where not an address. */
  static List<InetAddress> xForwardedFor(List<String> values) {
    List<InetAddress> hops = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        String hop = part.strip();
        if (!hop.isEmpty()) {
          hops.add(ipLiteral(hop));
        }
      }
    }
    return hops;
  }

  /**
   * The {@code for=} hops of the {@code Forwarded} field lines, one per element, in order; null
   * where an element has no {@code for=} that is an address, or is malformed.
   */
  static List<InetAddress> forwarded(List<String> values) {
    List<InetAddress> hops = new ArrayList<>();
    for (String v : values) {
      for (String element : elements(v)) {
        if (!element.isBlank()) {
          hops.add(forParameter(element));
        }
      }
    }
    return hops;
  }

  /** A bare IPv4 or IPv6 literal; null for anything else. */
  static @Nullable InetAddress ipLiteral(String text) {
    boolean v4 = IPV4.matcher(text).matches();
    boolean v6 = !v4 && text.indexOf(':') >= 0 && NetUtil.isValidIpV6Address(text);
    if (!v4 && (!v6 || text.indexOf('%') >= 0 || text.startsWith("["))) {
      return null;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null; // not reached: the bytes are 4 or 16 long
    }
  }

  /** The elements of one {@code Forwarded} line: split at commas outside quoted strings. */
  private static List<String> elements(String value) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted && c == '\\' && i + 1 < value.length()) {
        current.append(c).append(value.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(current.toString());
        current.setLength(0);
        continue;
      }
      current.append(c);
    }
    out.add(quoted ? "malformed" : current.toString()); // an unterminated quote
    return out;
  }

  /** The address of the element's {@code for=} parameter; null when there is none. */
  private static @Nullable InetAddress forParameter(String element) {
    InetAddress found = null;
    int forCount = 0;
    for (String pair : pairs(element)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        return null; // malformed
      }
      if (!pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
        continue;
      }
      forCount++;
      String value = unquote(pair.substring(eq + 1).strip());
      found = value == null ? null : node(value);
    }
    return forCount == 1 ? found : null;
  }

  /** The pairs of an element: split at semicolons outside quoted strings. */
  private static List<String> pairs(String element) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < element.length(); i++) {
      char c = element.charAt(i);
      if (quoted && c == '\\' && i + 1 < element.length()) {
        current.append(c).append(element.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && !quoted) {
        out.add(current.toString());
        current.setLength(0);
        continue;
      }
      current.append(c);
    }
    out.add(current.toString());
    out.removeIf(String::isBlank);
    return out;
  }

  /** A token as it is, a quoted string without its quotes and escapes; null when malformed. */
  private static @Nullable String unquote(String value) {
    if (!value.startsWith("\"")) {
      return value.indexOf('"') >= 0 ? null : value;
    }
    if (value.length() < 2 || !value.endsWith("\"")) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) {
        c = value.charAt(++i);
      } else if (c == '"' || c == '\\') {
        return null;
      }
      out.append(c);
    }
    return out.toString();
  }

  /** RFC 7239's node: {@code IPv4[:port]} or {@code [IPv6][:port]}; null otherwise. */
  private static @Nullable InetAddress node(String node) {
    String host;
    String port;
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = node.substring(1, close);
      String rest = node.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return null;
      }
      port = rest.isEmpty() ? null : rest.substring(1);
      if (host.indexOf(':') < 0) {
        return null; // brackets hold IPv6 only
      }
    } else {
      int colon = node.indexOf(':');
      host = colon < 0 ? node : node.substring(0, colon);
      port = colon < 0 ? null : node.substring(colon + 1);
      if (host.indexOf(':') >= 0 || (port != null && port.indexOf(':') >= 0)) {
        return null; // an unbracketed IPv6 address
      }
    }
    if (port != null && !NODE_PORT.matcher(port).matches()) {
      return null;
    }
    if (port != null && port.charAt(0) != '_' && Integer.parseInt(port) > 65535) {
      return null;
    }
    return ipLiteral(host);
  }
}
