package io.portico.snapshot;

import io.netty.util.AsciiString;
import io.portico.config.GatewayConfig;
import io.portico.forwarding.ForwardingPolicy;
import io.portico.plugin.PluginChain;
import io.portico.router.Router;
import io.portico.tls.ServerTls;
import io.portico.upstream.UpstreamService;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the data plane needs to serve requests under one configuration, compiled once and
 * never changed. An exchange takes the current snapshot when its request head arrives and keeps it
 * to the end, so a reload never changes a request in flight.
 *
 * @param routes the compiled routes by name, in config order
 * @param globalChain the global plugins, run for requests that match no route (response and log
 *     phases only)
 * @param tls the loaded certificates of each TLS listener, by listener name; a connection uses
 *     those of the snapshot active when it is accepted
 * @param identityHeaders the headers removed from every client request before any plugin runs: the
 *     shared identity headers and those any plugin of this config vouches for ({@link
 *     io.portico.spi.plugin.Plugin#identityHeaders()})
 * @param plugins every plugin instance made for this snapshot (global, service and route levels,
 *     also those a more specific level overrides), in order of creation; closed when the snapshot
 *     is retired ({@link SnapshotHolder})
 */
public record Snapshot(
    GatewayConfig config,
    Router<CompiledRoute> router,
    Map<String, CompiledRoute> routes,
    Map<String, UpstreamService> services,
    PluginChain globalChain,
    ForwardingPolicy forwarding,
    Map<String, ServerTls> tls,
    List<AsciiString> identityHeaders,
    List<PluginChain.Entry> plugins,
    Instant loadedAt) {

  public String version() {
    return config.version();
  }
}
