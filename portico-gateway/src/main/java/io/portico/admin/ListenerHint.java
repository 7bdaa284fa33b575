package io.portico.admin;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The sentence an admin 404 ends with: a request for a path the admin API does not have was most
 * likely meant for the gateway's routes, which are served on the client listeners, not here.
 */
final class ListenerHint {

  private ListenerHint() {}

  /** " This is the admin listener; routes are served on the listeners: 127.0.0.1:8080." or "". */
  static String of(List<InetSocketAddress> listeners) {
    if (listeners.isEmpty()) {
      return "";
    }
    return " This is the admin listener; routes are served on the listeners: "
        + listeners.stream().map(ListenerHint::url).collect(Collectors.joining(", "))
        + ".";
  }

  private static String url(InetSocketAddress a) {
    String host =
        a.getAddress() == null
            ? a.getHostString()
            : a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
