package io.portico.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The gateway could not listen on an address its config gives: which key gave it ({@code
 * listeners[1].address}, {@code admin.address}, {@code portal.address}), the address, and why in
 * words a user can act on. {@link Gateway#start} throws it after releasing everything it had bound.
 */
public final class AddressUnavailableException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String configPath;
  private final InetSocketAddress address;

  AddressUnavailableException(String configPath, InetSocketAddress address, Throwable cause) {
    super(configPath + " " + authority(address) + ": " + cause.getMessage(), cause);
    this.configPath = configPath;
    this.address = address;
  }

  /** The config key that gave the address, such as {@code listeners[0].address}. */
  public String configPath() {
    return configPath;
  }

  public InetSocketAddress address() {
    return address;
  }

  /**
   * What is wrong and what to do, in the config-problem form: {@code "127.0.0.1:8080" is in use by
   * another process (expected: a free port: stop the other process or choose another port)}.
   */
  public String describe() {
    String cause = String.valueOf(getCause() == null ? "" : getCause().getMessage());
    String lower = cause.toLowerCase(Locale.ROOT);
    String quoted = "\"" + authority(address) + "\"";
    if (lower.contains("address already in use")) {
      return quoted
          + " is in use by another process (expected: a free port; stop the other process or"
          + " choose another port)";
    }
    if (lower.contains("permission denied") || lower.contains("access denied")) {
      return quoted
          + " may not be bound by this user (expected: a port from 1024 up, or run with the"
          + " CAP_NET_BIND_SERVICE capability)";
    }
    if (lower.contains("cannot assign requested address")) {
      return quoted
          + " is not an address of this host (expected: an address of one of its interfaces,"
          + " 127.0.0.1, or 0.0.0.0 for all of them)";
    }
    return quoted
        + " cannot be bound: "
        + cause
        + " (expected: an address this host can listen on)";
  }

  static String authority(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
