package io.portico.spi.plugin;

import io.netty.channel.EventLoopGroup;

/**
 * What the gateway offers plugins when they are created: shared resources, never per-request state.
 */
public interface PluginContext {

  /** The gateway's event loops, for plugins that open their own non-blocking connections. */
  EventLoopGroup eventLoops();

  /** The name of the config source being loaded (for messages). */
  String configSource();
}
