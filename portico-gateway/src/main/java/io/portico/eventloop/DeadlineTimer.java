package io.portico.eventloop;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One resettable deadline, cheap to move: one per client connection, one per upstream connection
 * (the streams of an HTTP/2 connection share one scheduled task through {@link StreamDeadlines}).
 *
 * <p>Moving a deadline later (the common case: every request, every read) only writes a field; the
 * scheduled task, when it fires early, re-schedules itself for the remaining time. A new task is
 * scheduled only when the deadline moves earlier than the pending task or none is pending. So a
 * busy keep-alive connection costs about one scheduled task per timeout period, not one per
 * request.
 *
 * <p>Time is the event loop's {@link Ticker} (the system clock in production, a controllable one
 * under {@code EmbeddedChannel}). Confined to its event loop: every method must be called on {@code
 * loop}.
 */
public final class DeadlineTimer implements Deadline, Runnable {

  private final EventLoop loop;
  private final Ticker ticker;
  private final Runnable onExpiry;
  private long deadline;
  private boolean armed;
  private @Nullable ScheduledFuture<?> task;
  private long taskAt;

  public DeadlineTimer(EventLoop loop, Runnable onExpiry) {
    this.loop = loop;
    this.ticker = loop.ticker();
    this.onExpiry = onExpiry;
  }

  @Override
  public long now() {
    return ticker.nanoTime();
  }

  /** Fires {@code onExpiry} at {@code nanoTime} unless moved or disarmed before. */
  @Override
  public void armAt(long nanoTime) {
    deadline = nanoTime;
    armed = true;
    if (task == null || nanoTime < taskAt) {
      if (task != null) {
        task.cancel(false);
      }
      schedule(nanoTime);
    }
  }

  @Override
  public void disarm() {
    armed = false;
  }

  public boolean armed() {
    return armed;
  }

  /** Cancels any pending task; used when the connection closes. */
  @Override
  public void cancel() {
    armed = false;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  @Override
  public void run() {
    task = null;
    if (!armed) {
      return;
    }
    long now = ticker.nanoTime();
    if (now - deadline >= 0) {
      armed = false;
      onExpiry.run();
    } else {
      schedule(deadline);
    }
  }

  private void schedule(long at) {
    taskAt = at;
    task = loop.schedule(this, Math.max(0, at - ticker.nanoTime()), TimeUnit.NANOSECONDS);
  }
}
