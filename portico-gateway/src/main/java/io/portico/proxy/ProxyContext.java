package io.portico.proxy;

import io.portico.config.AccessLogConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.trace.Tracing;
import io.portico.snapshot.SnapshotHolder;
import io.portico.upstream.UpstreamHooks;
import org.jspecify.annotations.Nullable;

/**
 * What every connection of a running gateway shares: the active snapshot, the exchange observer,
 * the upstream hooks, the tracer (null when tracing is off), the access log's body capture (null
 * when off) and the draining flag. Thread-safe.
 */
public final class ProxyContext {

  private final SnapshotHolder snapshots;
  private final ExchangeObserver observer;
  private final UpstreamHooks upstreamHooks;
  private final @Nullable Tracing tracing;
  private final AccessLogConfig.@Nullable BodyCapture bodyCapture;
  private volatile boolean draining;

  public ProxyContext(SnapshotHolder snapshots, ExchangeObserver observer) {
    this(snapshots, observer, UpstreamHooks.NONE);
  }

  public ProxyContext(
      SnapshotHolder snapshots, ExchangeObserver observer, UpstreamHooks upstreamHooks) {
    this(snapshots, observer, upstreamHooks, null);
  }

  /**
   * @param tracing the tracer, or null when tracing is off (then no exchange makes a span)
   */
  public ProxyContext(
      SnapshotHolder snapshots,
      ExchangeObserver observer,
      UpstreamHooks upstreamHooks,
      @Nullable Tracing tracing) {
    this(snapshots, observer, upstreamHooks, tracing, null);
  }

  /**
   * @param bodyCapture what the running access log keeps of bodies, or null when it keeps none
   *     (then no exchange copies a body byte)
   */
  public ProxyContext(
      SnapshotHolder snapshots,
      ExchangeObserver observer,
      UpstreamHooks upstreamHooks,
      @Nullable Tracing tracing,
      AccessLogConfig.@Nullable BodyCapture bodyCapture) {
    this.snapshots = snapshots;
    this.observer = observer;
    this.upstreamHooks = upstreamHooks;
    this.tracing = tracing;
    this.bodyCapture = bodyCapture;
  }

  public SnapshotHolder snapshots() {
    return snapshots;
  }

  public ExchangeObserver observer() {
    return observer;
  }

  /**
   * The hooks every upstream attempt runs (tracing, metrics); {@link UpstreamHooks#NONE} if none.
   */
  public UpstreamHooks upstreamHooks() {
    return upstreamHooks;
  }

  /** The tracer, or null when tracing is off. */
  public @Nullable Tracing tracing() {
    return tracing;
  }

  /** What the access log keeps of bodies, or null when it keeps none. */
  public AccessLogConfig.@Nullable BodyCapture bodyCapture() {
    return bodyCapture;
  }

  /** Once set, responses carry {@code Connection: close} so clients move elsewhere. */
  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }
}
