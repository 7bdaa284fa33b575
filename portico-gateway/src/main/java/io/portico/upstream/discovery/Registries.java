package io.portico.upstream.discovery;

import io.netty.util.NetUtil;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the discovery kinds share: their common keys ({@code allow-empty}, {@code max-endpoints},
 * {@code allowed-networks}, {@code denied-networks}) and registry entries made endpoints.
 */
public final class Registries {

  /** The key that lets an empty answer empty the service. */
  public static final String ALLOW_EMPTY = "allow-empty";

  /** The key of the most endpoints a service takes from its registry. */
  public static final String MAX_ENDPOINTS = "max-endpoints";

  /** The key of the networks a registry may name (CIDRs). */
  public static final String ALLOWED_NETWORKS = "allowed-networks";

  /** The key of the networks a registry may not name (CIDRs). */
  public static final String DENIED_NETWORKS = "denied-networks";

  /** The highest weight an endpoint may have, as for static targets. */
  public static final int MAX_WEIGHT = 1000;

  private Registries() {}

  /** {@code allow-empty}: whether an empty answer from a live registry empties the service. */
  public static boolean allowEmpty(ConfigReader settings) {
    return settings.bool(ALLOW_EMPTY, false);
  }

  /**
   * {@code max-endpoints}, {@code allowed-networks} and {@code denied-networks}: what the service
   * accepts from its registry, whatever the kind. Every wrong item is reported at its line.
   */
  public static DiscoveryLimits limits(ConfigReader settings) {
    int max =
        settings.integer(
            MAX_ENDPOINTS,
            DiscoveryLimits.DEFAULT_MAX_ENDPOINTS,
            1,
            DiscoveryLimits.MAX_MAX_ENDPOINTS);
    return new DiscoveryLimits(
        max, networks(settings, ALLOWED_NETWORKS), networks(settings, DENIED_NETWORKS));
  }

  private static List<String> networks(ConfigReader settings, String key) {
    List<String> out = new ArrayList<>();
    for (ConfigNode item : settings.list(key)) {
      String text = item.isScalar() ? item.scalarText().trim() : null;
      if (text == null || !AddressFilter.isNetwork(text)) {
        settings.problems().expected(item, AddressFilter.CIDR_RULE);
      } else {
        out.add(text);
      }
    }
    return out;
  }

  /**
   * An endpoint for an instance a registry lists. An IP literal is used as is; a host name is
   * resolved here (on the source's own thread, never an event loop).
   *
   * @return the endpoint, or null when the host does not resolve
   */
  public static @Nullable Endpoint endpoint(String host, int port, int weight) {
    InetSocketAddress address;
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    try {
      InetAddress ip =
          literal != null ? InetAddress.getByAddress(host, literal) : InetAddress.getByName(host);
      address = new InetSocketAddress(ip, port);
    } catch (UnknownHostException e) {
      return null;
    }
    return new Endpoint(address, authority(host, port), clampWeight(weight));
  }

  /** {@code host:port}, with an IPv6 literal in brackets. */
  public static String authority(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** A weight within 1 to {@link #MAX_WEIGHT}. */
  public static int clampWeight(int weight) {
    return Math.max(1, Math.min(MAX_WEIGHT, weight));
  }

  /** Whether {@code port} is a TCP port a request can go to. */
  public static boolean validPort(long port) {
    return port >= 1 && port <= 65535;
  }
}
