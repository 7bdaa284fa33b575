package io.portico.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The traffic counters of the console's overview, read from the registry: per route its requests,
 * 5xx answers and the cumulative counts of the request-duration histogram; per consumer (only with
 * {@code metrics.per-consumer}) its requests and 5xx answers. Counts are since the gateway started;
 * the reader takes differences for rates.
 *
 * <p>It reads the meters the data path already updates and touches no event loop (unlike a scrape,
 * which samples every loop for its gauges); call it off the event loops all the same, it walks
 * every route's meters.
 *
 * @param bounds the histogram's upper bounds in seconds, shared by every route ({@code +Inf} not
 *     included: a route's {@code requests} counts it)
 */
public record TrafficSummary(
    List<Double> bounds, List<RouteTraffic> routes, List<ConsumerTraffic> consumers) {

  /**
   * One route.
   *
   * @param buckets cumulative counts at each of {@link #bounds}
   * @param durations the number of requests in the histogram (its {@code +Inf} bucket)
   */
  public record RouteTraffic(
      String route,
      String service,
      long requests,
      long errors,
      List<Long> buckets,
      long durations) {}

  /** One consumer, or {@code (none)} and {@code (other)}. */
  public record ConsumerTraffic(String consumer, long requests, long errors) {}

  static TrafficSummary of(MeterRegistry registry) {
    List<Double> bounds = new ArrayList<>();
    for (var d : Buckets.LATENCY) {
      bounds.add(d.toNanos() / 1e9);
    }
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, String> services = new TreeMap<>();
    for (Counter c : registry.find("portico.requests").counters()) {
      String route = c.getId().getTag("route");
      if (route == null) {
        continue;
      }
      services.putIfAbsent(route, String.valueOf(c.getId().getTag("service")));
      long[] n = counts.computeIfAbsent(route, r -> new long[2]);
      long v = (long) c.count();
      n[0] += v;
      if ("5xx".equals(c.getId().getTag("status"))) {
        n[1] += v;
      }
    }
    Map<String, Timer> timers = new TreeMap<>();
    for (Timer t : registry.find("portico.request.duration").timers()) {
      String route = t.getId().getTag("route");
      if (route != null) {
        timers.put(route, t);
        services.putIfAbsent(route, String.valueOf(t.getId().getTag("service")));
      }
    }
    List<RouteTraffic> routes = new ArrayList<>();
    for (Map.Entry<String, String> e : services.entrySet()) {
      long[] n = counts.getOrDefault(e.getKey(), new long[2]);
      Timer t = timers.get(e.getKey());
      List<Long> buckets = new ArrayList<>(bounds.size());
      long durations = 0;
      if (t != null) {
        var snapshot = t.takeSnapshot();
        durations = snapshot.count();
        for (double bound : bounds) {
          buckets.add(at(snapshot.histogramCounts(), bound));
        }
      }
      routes.add(new RouteTraffic(e.getKey(), e.getValue(), n[0], n[1], buckets, durations));
    }
    Map<String, long[]> byConsumer = new TreeMap<>();
    for (Counter c : registry.find("portico.consumer.requests").counters()) {
      String consumer = c.getId().getTag("consumer");
      if (consumer == null) {
        continue;
      }
      long[] n = byConsumer.computeIfAbsent(consumer, k -> new long[2]);
      long v = (long) c.count();
      n[0] += v;
      if ("5xx".equals(c.getId().getTag("status"))) {
        n[1] += v;
      }
    }
    List<ConsumerTraffic> consumers = new ArrayList<>();
    byConsumer.forEach((k, n) -> consumers.add(new ConsumerTraffic(k, n[0], n[1])));
    return new TrafficSummary(List.copyOf(bounds), List.copyOf(routes), List.copyOf(consumers));
  }

  /** The cumulative count at the bucket whose bound is {@code seconds}; 0 when there is none. */
  private static long at(CountAtBucket[] counts, double seconds) {
    for (CountAtBucket c : counts) {
      if (Math.abs(c.bucket(TimeUnit.SECONDS) - seconds) < 1e-9) {
        return (long) c.count();
      }
    }
    return 0;
  }
}
