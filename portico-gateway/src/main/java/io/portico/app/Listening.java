package io.portico.app;

import io.portico.config.ListenerConfig;
import io.portico.proxy.ProxyServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Binds the gateway's addresses so that a failure names the config key that gave the address: each
 * listener in turn as {@code listeners[i].address}, the admin API as {@code admin.address}, the
 * portal as {@code portal.address}. Called by {@link Gateway} on the starting thread.
 */
final class Listening {

  private Listening() {}

  /** A bind that may fail with Netty's undeclared {@link IOException}. */
  @FunctionalInterface
  interface Bind<T> {
    T bind() throws InterruptedException;
  }

  /** Binds every listener, in config order; returns every bound address. */
  static List<InetSocketAddress> bindListeners(ProxyServer proxy, List<ListenerConfig> listeners)
      throws InterruptedException, AddressUnavailableException {
    List<InetSocketAddress> bound = List.of();
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig l = listeners.get(i);
      bound = bind("listeners[" + i + "].address", l.address(), () -> proxy.bind(List.of(l)));
    }
    return bound;
  }

  /**
   * Runs {@code bind}, turning an I/O failure (Netty's {@code sync()} rethrows a bind error, a
   * checked exception, undeclared) into an {@link AddressUnavailableException} naming {@code
   * configPath}.
   */
  static <T> T bind(String configPath, InetSocketAddress address, Bind<T> bind)
      throws InterruptedException, AddressUnavailableException {
    try {
      return bind.bind();
    } catch (InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof IOException) {
        throw new AddressUnavailableException(configPath, address, e);
      }
      throw new IllegalStateException(e);
    }
  }
}
