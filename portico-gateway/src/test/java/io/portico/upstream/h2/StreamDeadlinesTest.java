package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamDeadlines} on an {@code EmbeddedChannel}'s event loop, whose clock the test moves:
 * each deadline fires once, at its time, whatever order streams are armed, moved and disarmed in,
 * and a disarmed one never fires.
 */
class StreamDeadlinesTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final StreamDeadlines deadlines = new StreamDeadlines(channel.eventLoop());
  private final List<String> fired = new ArrayList<>();

  @Test
  void firesEachArmedDeadlineOnceAtItsTime() {
    Stream a = new Stream("a");
    Stream b = new Stream("b");
    Stream c = new Stream("c");
    long now = deadlines.now();
    deadlines.arm(a, now + ms(300));
    deadlines.arm(b, now + ms(100));
    deadlines.arm(c, now + ms(200));
    deadlines.disarm(c);

    advance(150);
    assertThat(fired).containsExactly("b");
    assertThat(deadlines.size()).isEqualTo(1);
    advance(100);
    assertThat(fired).containsExactly("b");
    advance(100);
    assertThat(fired).containsExactly("b", "a");
    assertThat(deadlines.size()).isZero();
    advance(1000);
    assertThat(fired).containsExactly("b", "a");
  }

  @Test
  void aDeadlineMovedLaterFiresAtItsNewTime() {
    Stream a = new Stream("a");
    long now = deadlines.now();
    deadlines.arm(a, now + ms(100));
    deadlines.arm(a, now + ms(400));
    advance(200);
    assertThat(fired).isEmpty();
    assertThat(deadlines.size()).isEqualTo(1);
    advance(250);
    assertThat(fired).containsExactly("a");
  }

  @Test
  void aStreamToldOfItsDeadlineMayArmAnotherOrDisarmOthers() {
    Stream a = new Stream("a");
    Stream b = new Stream("b");
    long now = deadlines.now();
    a.onPassed = () -> deadlines.disarm(b);
    deadlines.arm(a, now + ms(100));
    deadlines.arm(b, now + ms(100));
    advance(150);
    assertThat(fired).hasSize(2);
    assertThat(deadlines.size()).isZero();

    Stream c = new Stream("c");
    c.onPassed = () -> deadlines.arm(c, deadlines.now() + ms(100));
    deadlines.arm(c, deadlines.now() + ms(50));
    advance(60);
    advance(110);
    assertThat(fired).containsExactly(fired.get(0), fired.get(1), "c", "c");
  }

  @Test
  void manyStreamsLeaveTheListInAnyOrder() {
    List<Stream> streams = new ArrayList<>();
    long now = deadlines.now();
    for (int i = 0; i < 100; i++) {
      Stream s = new Stream("s" + i);
      streams.add(s);
      deadlines.arm(s, now + ms(1000 + i));
    }
    for (int i = 0; i < 100; i += 2) {
      deadlines.disarm(streams.get(i));
    }
    assertThat(deadlines.size()).isEqualTo(50);
    advance(2000);
    assertThat(fired).hasSize(50).allMatch(n -> Integer.parseInt(n.substring(1)) % 2 == 1);
    deadlines.cancel();
  }

  private void advance(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runPendingTasks();
    channel.runScheduledPendingTasks();
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private final class Stream implements StreamDeadlines.Member {
    private final String name;
    private int index = -1;
    private long at;
    Runnable onPassed = () -> {};

    Stream(String name) {
      this.name = name;
    }

    @Override
    public int deadlineIndex() {
      return index;
    }

    @Override
    public void deadlineIndex(int index) {
      this.index = index;
    }

    @Override
    public long deadlineAt() {
      return at;
    }

    @Override
    public void deadlineAt(long nanoTime) {
      at = nanoTime;
    }

    @Override
    public void onDeadlinePassed() {
      fired.add(name);
      onPassed.run();
    }
  }
}
