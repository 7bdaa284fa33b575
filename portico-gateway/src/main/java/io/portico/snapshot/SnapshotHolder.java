package io.portico.snapshot;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the active snapshot, and retires the snapshots it replaced once nothing uses them.
 *
 * <pre>
 *   swap(next) ─▶ next is active; the old one is retiring
 *   an exchange: acquire() ─▶ runs on lease.snapshot() ─▶ lease.release()
 *   retiring, and its last lease released ─▶ onRetired(old), once
 * </pre>
 *
 * <p>Every exchange takes a {@link Lease} on the active snapshot when its request head arrives and
 * releases it when it finishes, so a snapshot is retired (and its plugin instances closed by the
 * owner's {@code onRetired}) only after every exchange that started under it has finished, however
 * long that takes. A lease is a reference count: an atomic increment when an exchange starts and a
 * decrement when it ends. A snapshot with an exchange that never ends is retired at shutdown
 * ({@link #retireAll()}), never earlier.
 *
 * <p>Readers that run no plugin (listener settings, the admin API) use {@link #current()}, one
 * volatile read. A reload builds the new snapshot beside the old one and swaps it in one step.
 * Thread-safe; {@code onRetired} runs on the thread that released the last lease (an event loop),
 * on the swapping thread, or in {@link #retireAll()}, and must hand slow work elsewhere.
 */
public final class SnapshotHolder {

  /** One exchange's hold on a snapshot. */
  public interface Lease {

    Snapshot snapshot();

    /** Ends the hold; call exactly once. */
    void release();
  }

  private final AtomicReference<Active> current;
  private final Set<Active> retiring = ConcurrentHashMap.newKeySet();
  private final Consumer<Snapshot> onRetired;

  /** A holder whose retired snapshots need no cleanup. */
  public SnapshotHolder(Snapshot initial) {
    this(initial, retired -> {});
  }

  /**
   * @param onRetired told once about every snapshot that is no longer active nor used by any
   *     exchange
   */
  public SnapshotHolder(Snapshot initial, Consumer<Snapshot> onRetired) {
    this.onRetired = onRetired;
    this.current = new AtomicReference<>(new Active(initial));
  }

  /** The active snapshot, for reads that run no plugin. */
  public Snapshot current() {
    return Objects.requireNonNull(current.get()).snapshot;
  }

  /** A lease on the active snapshot, for one exchange: release it when the exchange finishes. */
  public Lease acquire() {
    while (true) {
      Active active = Objects.requireNonNull(current.get());
      if (active.retain()) {
        return active;
      }
      // Swapped out and drained between the read and the retain: the next read sees its successor.
    }
  }

  /**
   * Activates {@code next}; returns the snapshot it replaced, which is retired once the exchanges
   * that hold it have finished (at once when none does).
   */
  public Snapshot swap(Snapshot next) {
    Active old = current.getAndSet(new Active(next));
    retiring.add(old);
    old.release();
    return old.snapshot;
  }

  /**
   * Retires every snapshot not retired yet, the active one and those still draining, whatever
   * exchanges still hold them: for shutdown, once no exchange runs any more.
   */
  public void retireAll() {
    for (Active a : retiring) {
      a.retire();
    }
    Objects.requireNonNull(current.get()).retire();
  }

  /** Snapshots swapped out whose exchanges have not all finished. */
  public int retiringCount() {
    return retiring.size();
  }

  /** A snapshot with its holders: the holder itself while active, plus one per exchange. */
  private final class Active implements Lease {
    final Snapshot snapshot;
    final AtomicInteger holds = new AtomicInteger(1);
    final AtomicBoolean retired = new AtomicBoolean();

    Active(Snapshot snapshot) {
      this.snapshot = snapshot;
    }

    /** Adds a hold unless the count already reached zero (then the snapshot is gone). */
    boolean retain() {
      int n;
      do {
        n = holds.get();
        if (n == 0) {
          return false;
        }
      } while (!holds.compareAndSet(n, n + 1));
      return true;
    }

    @Override
    public Snapshot snapshot() {
      return snapshot;
    }

    @Override
    public void release() {
      if (holds.decrementAndGet() == 0) {
        retire();
      }
    }

    void retire() {
      if (retired.compareAndSet(false, true)) {
        retiring.remove(this);
        onRetired.accept(snapshot);
      }
    }
  }
}
