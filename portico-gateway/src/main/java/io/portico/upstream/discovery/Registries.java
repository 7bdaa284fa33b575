package io.portico.upstream.discovery;

import io.netty.util.NetUtil;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** What the discovery kinds share: their common keys and registry entries made endpoints. */
public final class Registries {

  /** The key that lets an empty answer empty the service. */
  public static final String ALLOW_EMPTY = "allow-empty";

  /** The highest weight an endpoint may have, as for static targets. */
  public static final int MAX_WEIGHT = 1000;

  private Registries() {}

  /** {@code allow-empty}: whether an empty answer from a live registry empties the service. */
  public static boolean allowEmpty(ConfigReader settings) {
    return settings.bool(ALLOW_EMPTY, false);
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
