package io.portico.app;

import io.netty.channel.EventLoop;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.observe.metrics.TrafficSource;
import io.portico.proxy.ProxyServer;
import io.portico.snapshot.CompiledRoute;
import io.portico.snapshot.Snapshot;
import io.portico.snapshot.SnapshotHolder;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamService;
import io.portico.upstream.health.ActiveChecker;
import io.portico.upstream.health.OutlierDetector;
import io.portico.upstream.health.ServiceHealth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connects {@link GatewayMetrics} to the running gateway without metrics depending on the data
 * plane: what a snapshot's routes are called and which service each uses, and, at scrape time, the
 * proxy's connections and pools and the services' endpoints ({@link TrafficSource}).
 */
final class MetricsSources implements TrafficSource {

  private final ProxyServer proxy;
  private final SnapshotHolder snapshots;

  MetricsSources(ProxyServer proxy, SnapshotHolder snapshots) {
    this.proxy = proxy;
    this.snapshots = snapshots;
  }

  /** Tells {@code metrics} that {@code active} is now the config. */
  static void activated(GatewayMetrics metrics, Snapshot active) {
    Map<String, String> serviceByRoute = new LinkedHashMap<>();
    for (CompiledRoute route : active.routes().values()) {
      serviceByRoute.put(route.name(), route.service() == null ? null : route.service().name());
    }
    metrics.activated(active.version(), active.loadedAt(), serviceByRoute);
  }

  @Override
  public void sample(EventLoop loop, LoopSink sink) {
    proxy.sampleConnections(loop, sink::connection);
    proxy
        .poolsOf(loop)
        .forEachPool(
            pool -> {
              int idle = pool.idleCount();
              sink.pool(
                  pool.endpoint().authority(),
                  idle,
                  Math.max(0, pool.size() - idle),
                  pool.pendingCount());
            });
  }

  @Override
  public void services(ServiceSink sink) {
    for (UpstreamService service : snapshots.current().services().values()) {
      List<Endpoint> all = service.source().endpoints();
      OutlierDetector detector = null;
      ActiveChecker probes = null;
      if (service.health() instanceof OutlierDetector d) {
        detector = d;
      } else if (service.health() instanceof ServiceHealth h) {
        detector = h.passive();
        probes = h.active();
      }
      int down = 0;
      for (Endpoint e : all) {
        ActiveChecker.ProbeState probe = probes == null ? null : probes.state(e);
        if ((detector != null && detector.ejected(e)) || (probe != null && !probe.up())) {
          down++;
        }
      }
      sink.service(
          service.name(),
          all.size(),
          down,
          detector,
          detector == null ? 0 : detector.totalEjections());
    }
  }
}
