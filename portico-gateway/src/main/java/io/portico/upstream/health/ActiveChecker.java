package io.portico.upstream.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.portico.config.HealthConfig;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.tls.UpstreamTls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one service: a {@link Probe} per endpoint of its source, each on one of
 * the gateway's event loops, and which endpoints are down now.
 *
 * <pre>
 *   start() ─▶ listen to the source ─▶ sync(): a probe per endpoint listed, started
 *   the source publishes a list ─────▶ sync(): new endpoints get a probe, removed ones' stop
 *   each probe, every interval ─▶ HTTP request or TCP connect ─▶ unhealthy-threshold failures in
 *        a row: down;  healthy-threshold successes in a row: up again
 *   available(list) ─▶ the list without the endpoints that are down (cached until one changes)
 * </pre>
 *
 * <p>Every endpoint starts up, so a gateway that starts or reloads never refuses traffic before the
 * first probes answered; a dead endpoint is found within {@code unhealthy-threshold} intervals, and
 * until then retries and passive ejection cover it.
 *
 * <p>Kept across reloads while the service's probe settings, endpoint source and TLS are unchanged
 * ({@link HealthCheckers}), so probes are not restarted and their state survives. Thread-safe:
 * {@link #sync} and {@link #close} are synchronized (the source's publishing thread or the reload
 * thread); a probe's counters are confined to its event loop; reads are volatile.
 */
public final class ActiveChecker implements EndpointSource.Listener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ActiveChecker.class);

  /** What identifies an endpoint's probe: the address it goes to and the name it uses. */
  private record Key(java.net.InetSocketAddress address, String authority) {
    static Key of(Endpoint e) {
      return new Key(e.address(), e.authority());
    }
  }

  private record Cached(List<Endpoint> source, long version, List<Endpoint> out) {}

  private final String service;
  private final HealthConfig.Active config;
  private final EndpointSource source;
  private final @Nullable UpstreamTls tls;
  private final EventLoopGroup loops;
  private final AtomicLong version = new AtomicLong();
  private final Map<Key, Probe> probes = new HashMap<>();
  private volatile Map<Key, Probe> view = Map.of();
  private volatile Cached cached = new Cached(List.of(), -1, List.of());
  private boolean closed;

  public ActiveChecker(
      String service,
      HealthConfig.Active config,
      EndpointSource source,
      @Nullable UpstreamTls tls,
      EventLoopGroup loops) {
    this.service = service;
    this.config = config;
    this.source = source;
    this.tls = tls;
    this.loops = loops;
  }

  public HealthConfig.Active config() {
    return config;
  }

  public EndpointSource source() {
    return source;
  }

  public @Nullable UpstreamTls tls() {
    return tls;
  }

  /** Starts probing the source's endpoints and following its changes. */
  public void start() {
    source.addListener(this);
    sync();
  }

  @Override
  public void onEndpointsChanged(EndpointSource changed) {
    sync();
  }

  /** Gives every listed endpoint a probe and stops the probes of endpoints no longer listed. */
  synchronized void sync() {
    if (closed) {
      return;
    }
    Map<Key, Endpoint> listed = new LinkedHashMap<>();
    for (Endpoint e : source.endpoints()) {
      listed.putIfAbsent(Key.of(e), e);
    }
    List<Key> gone = new ArrayList<>();
    for (Key k : probes.keySet()) {
      if (!listed.containsKey(k)) {
        gone.add(k);
      }
    }
    for (Key k : gone) {
      Probe removed = probes.remove(k);
      if (removed != null) {
        removed.stop();
      }
    }
    boolean changed = !gone.isEmpty();
    for (Map.Entry<Key, Endpoint> e : listed.entrySet()) {
      if (!probes.containsKey(e.getKey())) {
        EventLoop loop = loops.next();
        Probe p = new Probe(e.getValue(), config, tls, loop, this::onStateChanged);
        probes.put(e.getKey(), p);
        p.start();
        changed = true;
      }
    }
    if (changed) {
      view = Map.copyOf(probes);
      version.incrementAndGet();
    }
  }

  /** The endpoints of {@code endpoints} not down; the same list while nothing changed. */
  public List<Endpoint> available(List<Endpoint> endpoints) {
    Cached c = cached;
    long v = version.get();
    if (c.source == endpoints && c.version == v) {
      return c.out;
    }
    Map<Key, Probe> now = view;
    List<Endpoint> in = new ArrayList<>(endpoints.size());
    for (Endpoint e : endpoints) {
      Probe p = now.get(Key.of(e));
      if (p == null || p.up()) {
        in.add(e);
      }
    }
    List<Endpoint> out = in.size() == endpoints.size() ? endpoints : List.copyOf(in);
    cached = new Cached(endpoints, v, out);
    return out;
  }

  /** The probe state of {@code endpoint}, or null when it has no probe (yet). */
  public @Nullable ProbeState state(Endpoint endpoint) {
    Probe p = view.get(Key.of(endpoint));
    return p == null ? null : p.snapshot();
  }

  private void onStateChanged(Probe probe, boolean up) {
    version.incrementAndGet();
    log.info(
        "service {}: endpoint {} is {} ({})",
        service,
        probe.endpoint(),
        up ? "healthy again" : "unhealthy",
        probe.snapshot().lastResult());
  }

  /** Stops every probe and the following of the source. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    source.removeListener(this);
    probes.values().forEach(Probe::stop);
    probes.clear();
    view = Map.of();
  }

  /**
   * What the admin API shows of a probe.
   *
   * @param up whether the endpoint may be picked as far as probes know
   * @param probes probes sent since it was first listed
   * @param lastResult the last probe's result ({@code 200}, {@code connected}, {@code timeout},
   *     {@code refused: ...}), or null before the first
   * @param lastProbeAt when the last probe ended, or null
   * @param changedAt when it last went up or down, or null when it never did
   */
  public record ProbeState(
      boolean up,
      long probes,
      @Nullable String lastResult,
      @Nullable Instant lastProbeAt,
      @Nullable Instant changedAt) {}
}
