package io.portico.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.portico.config.ListenerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gauges read when {@code /metrics} is scraped rather than kept up to date by the data path:
 * open client connections and exchanges in flight per listener and protocol, the upstream pools per
 * target, and each service's healthy and ejected endpoints.
 *
 * <pre>
 *   scrape ─▶ refresh() ─▶ one task per event loop ─▶ TrafficSource.sample: connections, pools
 *                       └▶ TrafficSource.services: each service's endpoints and ejections
 *          ─▶ MultiGauge rows replaced (a target or listener gone leaves no series behind)
 * </pre>
 *
 * <p>{@link #refresh} runs on the scraping thread, never on an event loop: it waits, at most {@link
 * #WAIT_MILLIS} ms, for the loops' answers; a loop too busy to answer in time is left out of that
 * scrape. Not thread-safe: the caller serialises scrapes.
 */
final class TrafficSampler {

  static final long WAIT_MILLIS = 2_000;

  private static final String[] PROTOCOLS = {"http1", "h2"};

  private final TrafficSource source;
  private final EventLoopGroup group;
  private final List<String> listeners;
  private final MeterRegistry registry;
  private final MultiGauge connections;
  private final MultiGauge inFlight;
  private final MultiGauge poolIdle;
  private final MultiGauge poolActive;
  private final MultiGauge poolPending;
  private final MultiGauge endpoints;
  private final Map<String, Seen> ejections = new HashMap<>();

  private record Seen(Object detector, long total) {}

  /** One loop's answer. */
  private static final class LoopSample {
    final int[][] connections;
    final int[][] inFlight;
    final Map<String, int[]> pools = new HashMap<>();

    LoopSample(int listeners) {
      connections = new int[listeners][2];
      inFlight = new int[listeners][2];
    }
  }

  TrafficSampler(
      TrafficSource source,
      EventLoopGroup group,
      List<ListenerConfig> listeners,
      MeterRegistry registry) {
    this.source = source;
    this.group = group;
    this.listeners = listeners.stream().map(ListenerConfig::name).toList();
    this.registry = registry;
    this.connections =
        MultiGauge.builder("portico.connections.open")
            .description("Open client connections by listener and protocol")
            .register(registry);
    this.inFlight =
        MultiGauge.builder("portico.requests.in.flight")
            .description("Exchanges in progress by listener and protocol")
            .register(registry);
    this.poolIdle =
        MultiGauge.builder("portico.upstream.pool.idle")
            .description("Idle pooled connections by upstream target, over every event loop")
            .register(registry);
    this.poolActive =
        MultiGauge.builder("portico.upstream.pool.active")
            .description("Leased or connecting upstream connections by target")
            .register(registry);
    this.poolPending =
        MultiGauge.builder("portico.upstream.pool.pending")
            .description("Requests waiting for an upstream connection by target")
            .register(registry);
    this.endpoints =
        MultiGauge.builder("portico.upstream.endpoints")
            .description("Endpoints of each service by state (healthy, ejected)")
            .register(registry);
  }

  void refresh() {
    List<CompletableFuture<LoopSample>> answers = new ArrayList<>();
    for (EventExecutor e : group) {
      EventLoop loop = (EventLoop) e;
      CompletableFuture<LoopSample> answer = new CompletableFuture<>();
      try {
        loop.execute(() -> answer.complete(sample(loop)));
        answers.add(answer);
      } catch (RejectedExecutionException stopped) {
        // shutting down
      }
    }
    int n = listeners.size();
    int[][] conns = new int[n][2];
    int[][] flight = new int[n][2];
    Map<String, int[]> pools = new TreeMap<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    for (CompletableFuture<LoopSample> answer : answers) {
      LoopSample s;
      try {
        s = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int l = 0; l < n; l++) {
        for (int p = 0; p < 2; p++) {
          conns[l][p] += s.connections[l][p];
          flight[l][p] += s.inFlight[l][p];
        }
      }
      s.pools.forEach(
          (target, c) -> {
            int[] sum = pools.computeIfAbsent(target, k -> new int[3]);
            for (int i = 0; i < 3; i++) {
              sum[i] += c[i];
            }
          });
    }
    List<MultiGauge.Row<?>> connRows = new ArrayList<>();
    List<MultiGauge.Row<?>> flightRows = new ArrayList<>();
    for (int l = 0; l < n; l++) {
      for (int p = 0; p < 2; p++) {
        Tags tags = Tags.of("listener", listeners.get(l), "protocol", PROTOCOLS[p]);
        connRows.add(MultiGauge.Row.of(tags, conns[l][p]));
        flightRows.add(MultiGauge.Row.of(tags, flight[l][p]));
      }
    }
    connections.register(connRows, true);
    inFlight.register(flightRows, true);
    List<MultiGauge.Row<?>> idle = new ArrayList<>();
    List<MultiGauge.Row<?>> active = new ArrayList<>();
    List<MultiGauge.Row<?>> pending = new ArrayList<>();
    pools.forEach(
        (target, c) -> {
          Tags tags = Tags.of("target", target);
          idle.add(MultiGauge.Row.of(tags, c[0]));
          active.add(MultiGauge.Row.of(tags, c[1]));
          pending.add(MultiGauge.Row.of(tags, c[2]));
        });
    poolIdle.register(idle, true);
    poolActive.register(active, true);
    poolPending.register(pending, true);
    health();
  }

  /** On {@code loop}: its connections and pools. */
  private LoopSample sample(EventLoop loop) {
    LoopSample s = new LoopSample(listeners.size());
    source.sample(
        loop,
        new TrafficSource.LoopSink() {
          @Override
          public void connection(int listener, boolean http2, int exchanges) {
            if (listener >= 0 && listener < s.connections.length) {
              int p = http2 ? 1 : 0;
              s.connections[listener][p]++;
              s.inFlight[listener][p] += exchanges;
            }
          }

          @Override
          public void pool(String target, int idle, int active, int pending) {
            int[] c = s.pools.computeIfAbsent(target, k -> new int[3]);
            c[0] += idle;
            c[1] += active;
            c[2] += pending;
          }
        });
    return s;
  }

  private void health() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    Map<String, Seen> seenNow = new HashMap<>();
    source.services(
        (name, all, ejected, detector, total) -> {
          if (detector != null) {
            Seen before = ejections.get(name);
            long since = before != null && before.detector() == detector ? before.total() : 0;
            Counter counter = ejectionCounter(name);
            if (total > since) {
              counter.increment(total - since);
            }
            seenNow.put(name, new Seen(detector, total));
          }
          rows.add(MultiGauge.Row.of(Tags.of("service", name, "state", "healthy"), all - ejected));
          rows.add(MultiGauge.Row.of(Tags.of("service", name, "state", "ejected"), ejected));
        });
    ejections.clear();
    ejections.putAll(seenNow);
    endpoints.register(rows, true);
  }

  private Counter ejectionCounter(String service) {
    return Counter.builder("portico.upstream.ejections")
        .description("Endpoints ejected by passive health checking (outlier detection)")
        .tag("service", service)
        .register(registry);
  }
}
