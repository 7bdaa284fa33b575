package io.portico.proxy;

import io.portico.observe.ExchangeObserver;
import io.portico.snapshot.SnapshotHolder;
import io.portico.upstream.UpstreamHooks;

/**
 * What every connection of a running gateway shares: the active snapshot, the exchange observer and
 * the draining flag. Thread-safe.
 */
public final class ProxyContext {

  private final SnapshotHolder snapshots;
  private final ExchangeObserver observer;
  private final UpstreamHooks upstreamHooks;
  private volatile boolean draining;

  public ProxyContext(SnapshotHolder snapshots, ExchangeObserver observer) {
    this(snapshots, observer, UpstreamHooks.NONE);
  }

  public ProxyContext(
      SnapshotHolder snapshots, ExchangeObserver observer, UpstreamHooks upstreamHooks) {
    this.snapshots = snapshots;
    this.observer = observer;
    this.upstreamHooks = upstreamHooks;
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

  /** Once set, responses carry {@code Connection: close} so clients move elsewhere. */
  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }
}
