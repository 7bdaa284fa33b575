package io.portico.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portico.observe.ExchangeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one route (and its service): made when a snapshot with the route is activated, or
 * on the first request of a route that the active snapshot no longer has. The request counters are
 * kept in arrays indexed by method and status class and registered on first use, so recording an
 * exchange looks up no string and builds none.
 *
 * <p>Thread-safe: every event loop records into the same meters (Micrometer's meters are
 * lock-free); a counter registered by two loops at once is the same registered meter.
 */
final class RouteMeters {

  private static final int CELLS = Labels.METHODS.length * Labels.STATUS_CLASSES.length;

  /**
   * The most {@code failure} values a route counts apart. The gateway's own codes and the built-in
   * plugins' reasons are closed lists well under it; a third-party plugin's reasons beyond it are
   * counted as {@link #OTHER_FAILURE}, so no plugin can grow the series without bound.
   */
  static final int MAX_FAILURES = 128;

  static final String OTHER_FAILURE = "(other)";

  private final MeterRegistry registry;
  private final String route;
  private final String service;
  private final AtomicReferenceArray<Counter> succeeded = new AtomicReferenceArray<>(CELLS);
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> failed =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> replies =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> limitDecisions = new ConcurrentHashMap<>();

  /** gRPC calls by status code (gRPC defines 0 to 16), registered on first use. */
  private final AtomicReferenceArray<Counter> grpcCalls =
      new AtomicReferenceArray<>(Labels.GRPC_STATUSES);

  private final Timer duration;
  private final Timer upstream;
  private final Counter bytesIn;
  private final Counter bytesOut;

  RouteMeters(MeterRegistry registry, String route, String service) {
    this.registry = registry;
    this.route = route;
    this.service = service;
    this.duration =
        Timer.builder("portico.request.duration")
            .description("Time from the request head's arrival to the response's last byte")
            .tags("route", route, "service", service)
            .serviceLevelObjectives(Buckets.LATENCY)
            .register(registry);
    this.upstream =
        Timer.builder("portico.upstream.duration")
            .description("Time from the request sent upstream to the upstream's response head")
            .tags("route", route, "service", service)
            .serviceLevelObjectives(Buckets.LATENCY)
            .register(registry);
    this.bytesIn =
        Counter.builder("portico.request.bytes")
            .description("Request body bytes received from clients")
            .baseUnit("bytes")
            .tags("route", route, "service", service)
            .register(registry);
    this.bytesOut =
        Counter.builder("portico.response.bytes")
            .description("Response body bytes sent to clients")
            .baseUnit("bytes")
            .tags("route", route, "service", service)
            .register(registry);
  }

  String service() {
    return service;
  }

  void record(ExchangeRecord r) {
    int cell = Labels.method(r.method()) * Labels.STATUS_CLASSES.length;
    int statusClass = Labels.statusClass(r.status());
    String failure = r.failure();
    AtomicReferenceArray<Counter> counters = failure == null ? succeeded : failed.get(failure);
    if (counters == null) {
      if (failed.size() >= MAX_FAILURES) {
        failure = OTHER_FAILURE;
      }
      counters = failed.computeIfAbsent(failure, f -> cells());
    }
    counter(counters, cell + statusClass, failure).increment();
    duration.record((long) (r.durationMillis() * 1e6), TimeUnit.NANOSECONDS);
    if (r.upstreamResponseMillis() >= 0) {
      upstream.record((long) (r.upstreamResponseMillis() * 1e6), TimeUnit.NANOSECONDS);
    }
    if (r.requestBytes() > 0) {
      bytesIn.increment(r.requestBytes());
    }
    if (r.responseBytes() > 0) {
      bytesOut.increment(r.responseBytes());
    }
    if (r.limitDecision() != null) {
      Counter c = limitDecisions.get(r.limitDecision());
      if (c == null) {
        c = limitDecisions.computeIfAbsent(r.limitDecision(), this::limitCounter);
      }
      c.increment();
    }
    if (r.grpcStatus() >= 0 && r.grpcStatus() < Labels.GRPC_STATUSES) {
      grpcCounter(r.grpcStatus()).increment();
    }
    if (r.repliedBy() != null && r.status() > 0 && r.status() < 600) {
      AtomicReferenceArray<Counter> byStatus =
          replies.computeIfAbsent(r.repliedBy(), p -> new AtomicReferenceArray<>(600));
      Counter c = byStatus.get(r.status());
      if (c == null) {
        c =
            Counter.builder("portico.plugin.replies")
                .description("Requests a plugin answered itself (refused, limited, served)")
                .tags(
                    "route", route, "plugin", r.repliedBy(), "status", Integer.toString(r.status()))
                .register(registry);
        byStatus.set(r.status(), c);
      }
      c.increment();
    }
  }

  private Counter grpcCounter(int code) {
    Counter c = grpcCalls.get(code);
    if (c == null) {
      c =
          Counter.builder("portico.grpc.calls")
              .description("gRPC calls by route, service and gRPC status code")
              .tags("route", route, "service", service, "grpc_status", Integer.toString(code))
              .register(registry);
      grpcCalls.set(code, c);
    }
    return c;
  }

  private Counter limitCounter(String decision) {
    return Counter.builder("portico.rate.limit.decisions")
        .description("What the rate limiter decided, by route")
        .tags("route", route, "decision", decision)
        .register(registry);
  }

  private static AtomicReferenceArray<Counter> cells() {
    return new AtomicReferenceArray<>(CELLS);
  }

  private Counter counter(
      AtomicReferenceArray<Counter> counters, int index, @Nullable String failure) {
    Counter c = counters.get(index);
    if (c == null) {
      int method = index / Labels.STATUS_CLASSES.length;
      int statusClass = index % Labels.STATUS_CLASSES.length;
      c =
          Counter.builder("portico.requests")
              .description("Requests by route, service, method, status class and failure code")
              .tags(
                  "route",
                  route,
                  "service",
                  service,
                  "method",
                  Labels.METHODS[method],
                  "status",
                  Labels.STATUS_CLASSES[statusClass],
                  "failure",
                  failure == null ? Labels.NO_FAILURE : failure)
              .register(registry);
      counters.set(index, c);
    }
    return c;
  }

  /** Removes every meter of this route from the registry. */
  void remove() {
    List<Meter> all = new ArrayList<>(List.of(duration, upstream, bytesIn, bytesOut));
    collect(succeeded, all);
    collect(grpcCalls, all);
    failed.values().forEach(a -> collect(a, all));
    replies.values().forEach(a -> collect(a, all));
    all.addAll(limitDecisions.values());
    all.forEach(registry::remove);
  }

  private static void collect(AtomicReferenceArray<Counter> counters, List<Meter> into) {
    for (int i = 0; i < counters.length(); i++) {
      Counter c = counters.get(i);
      if (c != null) {
        into.add(c);
      }
    }
  }
}
