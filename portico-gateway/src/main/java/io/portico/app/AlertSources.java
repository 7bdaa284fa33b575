package io.portico.app;

import io.portico.observe.alert.AlertSource;
import io.portico.observe.log.SinkStats;
import io.portico.snapshot.SnapshotHolder;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamService;
import io.portico.upstream.health.ActiveChecker;
import io.portico.upstream.health.OutlierDetector;
import io.portico.upstream.health.ServiceHealth;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Connects alerting to the running gateway without alerting depending on the snapshot or the
 * upstream: a service's healthy endpoints are those neither failing their active probes nor ejected
 * by passive checks (what {@code all-unhealthy: try-all} falls back to does not count).
 */
final class AlertSources implements AlertSource {

  private final SnapshotHolder snapshots;
  private final Supplier<List<SinkStats>> sinks;

  AlertSources(SnapshotHolder snapshots, Supplier<List<SinkStats>> sinks) {
    this.snapshots = snapshots;
    this.sinks = sinks;
  }

  @Override
  public long logLinesLost(@Nullable String sink) {
    long lost = 0;
    boolean found = false;
    for (SinkStats s : sinks.get()) {
      if (sink == null || sink.equals(s.name())) {
        lost += s.dropped() + s.failed();
        found = true;
      }
    }
    return found || sink == null ? lost : -1;
  }

  @Override
  public int healthyEndpoints(String service) {
    UpstreamService s = snapshots.current().services().get(service);
    if (s == null) {
      return -1;
    }
    OutlierDetector detector = null;
    ActiveChecker probes = null;
    if (s.health() instanceof OutlierDetector d) {
      detector = d;
    } else if (s.health() instanceof ServiceHealth h) {
      detector = h.passive();
      probes = h.active();
    }
    int healthy = 0;
    for (Endpoint e : s.source().endpoints()) {
      ActiveChecker.ProbeState probe = probes == null ? null : probes.state(e);
      if ((detector == null || !detector.ejected(e)) && (probe == null || probe.up())) {
        healthy++;
      }
    }
    return healthy;
  }
}
