package io.portico.upstream.discovery.dns;

import io.portico.config.DiscoveryKind;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.discovery.DiscoveryLimits;
import io.portico.upstream.discovery.Registries;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code discovery: { kind: dns, name: users.internal, port: 8080 }} (A records), or {@code type:
 * SRV} with the name of the SRV records ({@code _http._tcp.users.internal}), which carry ports.
 */
public final class DnsEndpointSourceKind implements EndpointSourceKind<DnsSettings> {

  public static final String NAME = "dns";
  public static final Duration DEFAULT_MIN_TTL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_TTL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DnsSettings parse(ConfigReader service) {
    ConfigReader r = DiscoveryKind.settingsOf(service);
    String name = r.requiredString("name", "a DNS name such as users.internal");
    if (name != null && (name.isBlank() || name.contains(" "))) {
      ConfigNode node = r.child("name");
      if (node != null) {
        r.problems().expected(node, "a DNS name such as users.internal");
      }
    }
    String type = r.oneOf("type", "A", List.of("A", "AAAA", "SRV"));
    DnsSettings.RecordType recordType =
        DnsSettings.RecordType.valueOf(type == null ? "A" : type.toUpperCase(Locale.ROOT));
    int port = 0;
    if (recordType == DnsSettings.RecordType.SRV) {
      ConfigNode p = r.child("port");
      if (p != null) {
        r.problems().expected(p, "no port with type SRV: its records carry the ports");
      }
    } else if (r.required("port", "the port of the addresses, 1-65535") != null) {
      port = r.integer("port", 0, 1, 65535);
    }
    Duration min =
        r.duration("min-ttl", DEFAULT_MIN_TTL, Duration.ofMillis(10), Duration.ofDays(1));
    Duration max =
        r.duration("max-ttl", DEFAULT_MAX_TTL, Duration.ofMillis(10), Duration.ofDays(1));
    min = min == null ? DEFAULT_MIN_TTL : min;
    max = max == null ? DEFAULT_MAX_TTL : max;
    if (max.compareTo(min) < 0) {
      ConfigNode m = r.child("max-ttl");
      if (m != null) {
        r.problems().expected(m, "at least min-ttl (" + ConfigReader.formatDuration(min) + ")");
      }
    }
    Duration timeout =
        r.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(10), Duration.ofMinutes(1));
    List<InetSocketAddress> servers = new ArrayList<>();
    for (ConfigNode s : r.list("servers")) {
      InetSocketAddress address = server(s.text());
      if (address == null) {
        r.problems().expected(s, "a name server address such as 10.0.0.2:53 or 10.0.0.2");
      } else {
        servers.add(address);
      }
    }
    boolean allowEmpty = Registries.allowEmpty(r);
    DiscoveryLimits limits = Registries.limits(r);
    r.finish();
    return new DnsSettings(
        name == null ? "" : name,
        recordType,
        port,
        min,
        max,
        timeout == null ? DEFAULT_TIMEOUT : timeout,
        servers,
        allowEmpty,
        limits);
  }

  /** {@code ip} or {@code ip:port} (port 53 by default), IPv6 in brackets; null when not so. */
  static @Nullable InetSocketAddress server(@Nullable String text) {
    if (text == null) {
      return null;
    }
    String host = text;
    int port = 53;
    int colon = text.lastIndexOf(':');
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') {
          return null;
        }
        port = parsePort(text.substring(close + 2));
      }
    } else if (colon > 0 && text.indexOf(':') == colon) {
      host = text.substring(0, colon);
      port = parsePort(text.substring(colon + 1));
    }
    byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null || port < 1) {
      return null;
    }
    try {
      return new InetSocketAddress(java.net.InetAddress.getByAddress(ip), port);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static int parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      return Registries.validPort(p) ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public EndpointSource create(DnsSettings settings, Context context) {
    return new DnsEndpointSource(context.service(), settings);
  }
}
