package io.portico.snapshot;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the active snapshot. Readers (every request) do one volatile read; a reload builds the new
 * snapshot beside the old one and swaps it in one step.
 */
public final class SnapshotHolder {

  private final AtomicReference<Snapshot> current;

  public SnapshotHolder(Snapshot initial) {
    this.current = new AtomicReference<>(initial);
  }

  public Snapshot current() {
    return current.get();
  }

  /** Activates {@code next}; returns the snapshot it replaced. */
  public Snapshot swap(Snapshot next) {
    return current.getAndSet(next);
  }
}
