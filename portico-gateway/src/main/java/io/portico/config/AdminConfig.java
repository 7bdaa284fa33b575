package io.portico.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The admin listener.
 *
 * @param address null disables the admin listener
 * @param token required as {@code Authorization: Bearer <token>} when set; mandatory when the
 *     address is not a loopback address
 * @param allowedHosts host names (or IP literals) the admin API answers in {@code Host} besides the
 *     loopback names and the address it was reached on; lower-case, IPv6 literals in brackets
 */
public record AdminConfig(InetSocketAddress address, String token, List<String> allowedHosts) {

  public AdminConfig {
    allowedHosts = List.copyOf(allowedHosts);
  }

  public AdminConfig(InetSocketAddress address, String token) {
    this(address, token, List.of());
  }
}
