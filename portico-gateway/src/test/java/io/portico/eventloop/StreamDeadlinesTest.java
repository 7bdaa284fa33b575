package io.portico.eventloop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many streams' deadlines on one task, on an embedded event loop whose clock the test moves: each
 * armed deadline fires once, when it passes; a disarmed or moved one does not fire at its old time;
 * one armed earlier than the pending task pulls the task in.
 */
class StreamDeadlinesTest {

  private static final long MS = 1_000_000L;

  private EmbeddedChannel channel;
  private StreamDeadlines deadlines;
  private final List<String> fired = new ArrayList<>();

  @BeforeEach
  void start() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    deadlines = new StreamDeadlines(channel.eventLoop());
  }

  @AfterEach
  void stop() {
    channel.finishAndReleaseAll();
  }

  private Deadline deadline(String name) {
    return deadlines.newDeadline(() -> fired.add(name));
  }

  private void advanceMs(long ms) {
    channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void eachArmedDeadlineFiresOnceWhenItPasses() {
    Deadline a = deadline("a");
    Deadline b = deadline("b");
    Deadline c = deadline("c");
    long now = a.now();
    c.armAt(now + 300 * MS);
    a.armAt(now + 100 * MS);
    b.armAt(now + 200 * MS);

    advanceMs(99);
    assertThat(fired).isEmpty();
    advanceMs(1);
    assertThat(fired).containsExactly("a");
    advanceMs(100);
    assertThat(fired).containsExactly("a", "b");
    advanceMs(100);
    assertThat(fired).containsExactly("a", "b", "c");
    advanceMs(1000);
    assertThat(fired).containsExactly("a", "b", "c");
  }

  @Test
  void aDisarmedDeadlineNeverFiresAndAMovedOneFiresAtItsNewTime() {
    Deadline gone = deadline("gone");
    Deadline moved = deadline("moved");
    long now = gone.now();
    gone.armAt(now + 100 * MS);
    moved.armAt(now + 100 * MS);
    gone.disarm();
    moved.armAt(now + 250 * MS);

    advanceMs(200);
    assertThat(fired).isEmpty();
    advanceMs(50);
    assertThat(fired).containsExactly("moved");

    // Armed again after it fired, it fires again.
    moved.armAt(moved.now() + 10 * MS);
    advanceMs(10);
    assertThat(fired).containsExactly("moved", "moved");
  }

  @Test
  void aDeadlineEarlierThanThePendingTaskPullsItIn() {
    Deadline late = deadline("late");
    Deadline early = deadline("early");
    long now = late.now();
    late.armAt(now + 60_000 * MS);
    early.armAt(now + 5 * MS);

    advanceMs(5);
    assertThat(fired).containsExactly("early");
  }

  @Test
  void aThousandStreamsArmedAndDisarmedLeaveOnlyTheArmedOnesToFire() {
    List<Deadline> all = new ArrayList<>();
    long now = deadlines.newDeadline(() -> {}).now();
    for (int i = 0; i < 1000; i++) {
      Deadline d = deadline("s" + i);
      d.armAt(now + (1000 - i) * MS);
      all.add(d);
    }
    for (int i = 0; i < 1000; i += 2) {
      all.get(i).disarm();
    }

    advanceMs(500);
    assertThat(fired).hasSize(250).allMatch(name -> Integer.parseInt(name.substring(1)) >= 500);
    advanceMs(500);
    assertThat(fired)
        .hasSize(500)
        .doesNotHaveDuplicates()
        .allMatch(name -> Integer.parseInt(name.substring(1)) % 2 == 1);
  }

  @Test
  void cancelDisarmsEveryDeadline() {
    Deadline a = deadline("a");
    Deadline b = deadline("b");
    a.armAt(a.now() + 10 * MS);
    b.armAt(b.now() + 20 * MS);
    deadlines.cancel();

    advanceMs(100);
    assertThat(fired).isEmpty();
  }

  @Test
  void aDeadlineArmedFromAnExpiryIsKept() {
    List<Deadline> chain = new ArrayList<>();
    Deadline first =
        deadlines.newDeadline(
            () -> {
              fired.add("first");
              chain.get(0).armAt(chain.get(0).now() + 10 * MS);
            });
    chain.add(deadline("second"));
    first.armAt(first.now() + 10 * MS);

    advanceMs(10);
    assertThat(fired).containsExactly("first");
    advanceMs(10);
    assertThat(fired).containsExactly("first", "second");
  }
}
