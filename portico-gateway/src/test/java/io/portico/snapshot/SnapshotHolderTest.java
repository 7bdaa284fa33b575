package io.portico.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnapshotHolderTest {

  private static final AtomicLong made = new AtomicLong();

  /** A snapshot that equals no other (a record compares its components). */
  private static Snapshot snapshot() {
    return new Snapshot(
        null,
        null,
        Map.of(),
        Map.of(),
        null,
        null,
        Map.of(),
        List.of(),
        List.of(),
        Instant.ofEpochSecond(made.incrementAndGet()));
  }

  private final List<Snapshot> retired = new CopyOnWriteArrayList<>();

  @Test
  void retiresAReplacedSnapshotWhenItsLastLeaseIsReleased() {
    Snapshot first = snapshot();
    SnapshotHolder holder = new SnapshotHolder(first, retired::add);
    SnapshotHolder.Lease a = holder.acquire();
    SnapshotHolder.Lease b = holder.acquire();

    Snapshot second = snapshot();
    assertThat(holder.swap(second)).isSameAs(first);
    assertThat(holder.acquire().snapshot()).isSameAs(second);
    a.release();
    assertThat(retired).isEmpty();
    assertThat(holder.retiringCount()).isEqualTo(1);

    b.release();
    assertThat(retired).containsExactly(first);
    assertThat(holder.retiringCount()).isZero();
  }

  @Test
  void retiresAReplacedSnapshotThatNoExchangeHoldsAtOnce() {
    Snapshot first = snapshot();
    SnapshotHolder holder = new SnapshotHolder(first, retired::add);
    holder.acquire().release();

    holder.swap(snapshot());

    assertThat(retired).containsExactly(first);
  }

  @Test
  void retireAllRetiresTheActiveAndTheDrainingSnapshotsOnce() {
    Snapshot first = snapshot();
    SnapshotHolder holder = new SnapshotHolder(first, retired::add);
    SnapshotHolder.Lease stuck = holder.acquire();
    Snapshot second = snapshot();
    holder.swap(second);

    holder.retireAll();
    stuck.release();
    holder.retireAll();

    assertThat(retired).containsExactlyInAnyOrder(first, second);
  }
}
