package io.portico.spi.plugin;

import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the gateway offers plugins when they are created: shared resources, never per-request state.
 */
public interface PluginContext {

  /** The gateway's event loops, for plugins that open their own non-blocking connections. */
  EventLoopGroup eventLoops();

  /** The name of the config source being loaded (for messages). */
  String configSource();

  /** The consumers of the config being loaded, in config order. */
  default List<ConsumerSpec> consumers() {
    return List.of();
  }

  /**
   * A resource shared by every plugin instance that asks for the same {@code key}, across config
   * reloads (a Redis client, a JWKS cache, and any background work they run), created by {@code
   * factory} on first use and closed when the gateway shuts down, after every plugin instance was
   * closed ({@link Plugin#close()}). A resource is not closed when a reload leaves no plugin using
   * it. Thread-safe.
   */
  default <T extends AutoCloseable> T shared(String key, Class<T> type, Supplier<T> factory) {
    throw new UnsupportedOperationException("shared resources are not available here");
  }
}
