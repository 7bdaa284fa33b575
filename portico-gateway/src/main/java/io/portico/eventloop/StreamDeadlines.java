package io.portico.eventloop;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The deadlines of one HTTP/2 connection's streams on a single scheduled task, so that a stream
 * (one call) costs no task of its own: arming, moving or disarming a stream's deadline links or
 * unlinks it in a list and writes a field; a task is scheduled only when a deadline is armed
 * earlier than the pending task, or none is pending.
 *
 * <p>The task, when it runs, hands on the deadlines that passed and schedules itself for the
 * earliest of the others. A deadline disarmed before the task runs leaves the task in place: it
 * runs once for nothing and, when no deadline is armed, schedules nothing. A busy connection whose
 * calls end well within their timeouts thus costs about one task per timeout period, however many
 * calls it carries, where a timer per stream costs a task (scheduled and cancelled) per call.
 *
 * <p>A stream object holds its deadline by extending {@link Entry}, so that the deadline costs the
 * stream a few fields and no object of its own; {@link #newDeadline} makes a separate one.
 *
 * <p>Owned by the connection's handler, which {@link #cancel()}s it when the connection closes.
 * Time is the event loop's {@link Ticker}. Confined to its event loop.
 */
public final class StreamDeadlines implements Runnable {

  private final EventLoop loop;
  private final Ticker ticker;
  private @Nullable Entry first;
  private @Nullable ScheduledFuture<?> task;
  private long taskAt;

  public StreamDeadlines(EventLoop loop) {
    this.loop = loop;
    this.ticker = loop.ticker();
  }

  /** A stream's deadline, disarmed; {@code onExpiry} runs when it passes while armed. */
  public Deadline newDeadline(Runnable onExpiry) {
    return new Entry(this) {
      @Override
      protected void onDeadlinePassed() {
        onExpiry.run();
      }
    };
  }

  /** Disarms every deadline and cancels the task: the connection closed. */
  public void cancel() {
    Entry e = first;
    while (e != null) {
      Entry next = e.next;
      e.unlinked();
      e = next;
    }
    first = null;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  @Override
  public void run() {
    task = null;
    long now = ticker.nanoTime();
    ArrayList<Entry> expired = null;
    long earliest = 0;
    boolean pending = false;
    Entry e = first;
    while (e != null) {
      Entry next = e.next;
      if (now - e.at >= 0) {
        unlink(e);
        if (expired == null) {
          expired = new ArrayList<>(2);
        }
        expired.add(e);
      } else if (!pending || e.at - earliest < 0) {
        earliest = e.at;
        pending = true;
      }
      e = next;
    }
    if (pending) {
      schedule(earliest);
    }
    if (expired != null) {
      for (Entry x : expired) {
        x.onDeadlinePassed();
      }
    }
  }

  private void armed(long at) {
    if (task == null || at - taskAt < 0) {
      if (task != null) {
        task.cancel(false);
      }
      schedule(at);
    }
  }

  private void schedule(long at) {
    taskAt = at;
    task = loop.schedule(this, Math.max(0, at - ticker.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void link(Entry e) {
    e.linked = true;
    e.prev = null;
    e.next = first;
    if (first != null) {
      first.prev = e;
    }
    first = e;
  }

  private void unlink(Entry e) {
    if (e.prev != null) {
      e.prev.next = e.next;
    } else {
      first = e.next;
    }
    if (e.next != null) {
      e.next.prev = e.prev;
    }
    e.unlinked();
  }

  /**
   * One stream's deadline, in its connection's list while armed: the stream object itself, as its
   * base class, or the object {@link #newDeadline} makes.
   */
  public abstract static class Entry implements Deadline {

    private final StreamDeadlines deadlines;
    private @Nullable Entry prev;
    private @Nullable Entry next;
    private boolean linked;
    private long at;

    protected Entry(StreamDeadlines deadlines) {
      this.deadlines = deadlines;
    }

    /** The deadline passed while armed; it is disarmed now. */
    protected abstract void onDeadlinePassed();

    @Override
    public final long now() {
      return deadlines.ticker.nanoTime();
    }

    @Override
    public final void armAt(long nanoTime) {
      at = nanoTime;
      if (!linked) {
        deadlines.link(this);
      }
      deadlines.armed(nanoTime);
    }

    @Override
    public final void disarm() {
      if (linked) {
        deadlines.unlink(this);
      }
    }

    @Override
    public final void cancel() {
      disarm();
    }

    final void unlinked() {
      linked = false;
      prev = null;
      next = null;
    }
  }
}
