package io.portico.proxy;

import io.portico.observe.ExchangeObserver;
import io.portico.snapshot.SnapshotHolder;

/**
 * What every connection of a running gateway shares: the active snapshot, the exchange observer and
 * the draining flag. Thread-safe.
 */
public final class ProxyContext {

  private final SnapshotHolder snapshots;
  private final ExchangeObserver observer;
  private volatile boolean draining;

  public ProxyContext(SnapshotHolder snapshots, ExchangeObserver observer) {
    this.snapshots = snapshots;
    this.observer = observer;
  }

  public SnapshotHolder snapshots() {
    return snapshots;
  }

  public ExchangeObserver observer() {
    return observer;
  }

  /** Once set, responses carry {@code Connection: close} so clients move elsewhere. */
  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }
}
