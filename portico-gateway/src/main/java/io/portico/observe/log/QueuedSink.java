package io.portico.observe.log;

import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LogSink} behind a bounded queue, with the one thread that drives it.
 *
 * <p>{@link #offer} is called on event loops and never blocks: when the queue is full the line is
 * dropped and counted. The queue is a lock-free multi-producer single-consumer array, and an offer
 * wakes the sink's thread only when that thread has gone to sleep after a quiet spell: under
 * traffic the thread wakes by itself every {@link #BUSY_PAUSE} and takes what has come, so the
 * event loop's share of a line is one compare-and-set, with no lock, no signal and no system call.
 * The sink's thread takes batches off the queue: up to {@code batchSize} lines, waiting up to
 * {@code linger} after the first for more (zero: whatever is queued now), and hands each to {@link
 * LogSink#deliver}. A batch that throws is counted as failed and the thread goes on with the next
 * one, so delivery resumes by itself when the destination returns; while it is away the queue fills
 * and further lines are dropped, so memory stays bounded by the queue.
 *
 * <p>{@link #close} lets the thread deliver what is queued, waiting a bounded time, then interrupts
 * it and closes the sink.
 */
public final class QueuedSink implements SinkStats, AutoCloseable {

  /** How long the thread waits for a line before it calls {@link LogSink#idle}. */
  public static final Duration IDLE_TICK = Duration.ofMillis(250);

  /**
   * How long the thread pauses between batches while lines keep coming: a line waits that long at
   * most before its sink sees it.
   */
  static final Duration BUSY_PAUSE = Duration.ofMillis(10);

  /** How long after its last line the thread keeps pausing briefly before it sleeps. */
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final Logger log = LoggerFactory.getLogger(QueuedSink.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final String name;
  private final String type;
  private final LogSink sink;
  private final Queue<LogLine> queue;
  private final int capacity;
  private final int batchSize;
  private final long lingerNanos;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;

  /** The thread is parked until an offer wakes it (or the idle tick ends). */
  private volatile boolean sleeping;

  private long lastWarnNanos;

  /**
   * Starts the sink's thread.
   *
   * @param capacity lines the queue holds at most
   * @param batchSize lines handed to one {@link LogSink#deliver} at most
   * @param linger how long a batch waits for more lines after its first
   */
  public QueuedSink(
      String name, String type, LogSink sink, int capacity, int batchSize, Duration linger) {
    this.name = name;
    this.type = type;
    this.sink = sink;
    this.queue = PlatformDependent.newFixedMpscQueue(Math.max(2, capacity));
    this.capacity = capacity;
    this.batchSize = batchSize;
    this.lingerNanos = linger.toNanos();
    this.lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;
    this.thread = new Thread(this::run, "portico-access-log-" + name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues a line for the sink; drops and counts it when the queue is full. Never blocks. */
  public void offer(LogLine line) {
    // the array may be larger than asked for (a power of two): the size keeps the configured bound
    if (closing || queue.size() >= capacity || !queue.offer(line)) {
      dropped.incrementAndGet();
      return;
    }
    if (sleeping) {
      sleeping = false;
      LockSupport.unpark(thread);
    }
  }

  private void run() {
    List<LogLine> batch = new ArrayList<>(Math.min(batchSize, 1024));
    long lastLine = System.nanoTime();
    while (!closing || !queue.isEmpty()) {
      LogLine first = queue.poll();
      if (first == null) {
        if (System.nanoTime() - lastLine < QUIET_NANOS) {
          LockSupport.parkNanos(this, BUSY_PAUSE.toNanos());
        } else {
          sleep();
        }
        if (Thread.interrupted()) {
          break;
        }
        continue;
      }
      batch.add(first);
      try {
        fill(batch);
        deliver(batch);
      } catch (InterruptedException e) {
        break;
      }
      batch.clear();
      lastLine = System.nanoTime();
    }
    // closing: what is still queued is lost, and counted as dropped
    int left = 0;
    while (queue.poll() != null) {
      left++;
    }
    if (left > 0) {
      dropped.addAndGet(left);
    }
  }

  /**
   * Parks until an offer wakes the thread or the idle tick ends, then lets the sink do its idle
   * work when nothing came. An offer that sees {@link #sleeping} unparks; one that does not was
   * queued before the check below, which then finds it.
   */
  private void sleep() {
    sleeping = true;
    if (queue.isEmpty() && !closing) {
      LockSupport.parkNanos(this, IDLE_TICK.toNanos());
    }
    sleeping = false;
    if (queue.isEmpty()) {
      idle();
    }
  }

  private void fill(List<LogLine> batch) throws InterruptedException {
    drain(batch);
    if (lingerNanos <= 0) {
      return;
    }
    long deadline = System.nanoTime() + lingerNanos;
    while (batch.size() < batchSize && !closing) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      if (queue.isEmpty()) {
        LockSupport.parkNanos(this, Math.min(left, BUSY_PAUSE.toNanos()));
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
      drain(batch);
    }
  }

  private void drain(List<LogLine> batch) {
    while (batch.size() < batchSize) {
      LogLine next = queue.poll();
      if (next == null) {
        return;
      }
      batch.add(next);
    }
  }

  private void deliver(List<LogLine> batch) throws InterruptedException {
    try {
      sink.deliver(batch);
      delivered.addAndGet(batch.size());
    } catch (InterruptedException e) {
      failed.addAndGet(batch.size());
      throw e;
    } catch (Exception e) {
      failed.addAndGet(batch.size());
      warn("could not deliver " + batch.size() + " lines", e);
    }
  }

  private void idle() {
    try {
      sink.idle();
    } catch (Exception e) {
      warn("failed while idle", e);
    }
  }

  /** One warning per sink every 30 seconds at most: a sink that is down must not flood the log. */
  private void warn(String what, Exception e) {
    long now = System.nanoTime();
    if (now - lastWarnNanos >= WARN_EVERY_NANOS) {
      lastWarnNanos = now;
      log.warn(
          "access log sink {} ({}) {}: {} (dropped {}, failed {} so far)",
          name,
          type,
          what,
          e.toString(),
          dropped(),
          failed());
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public int queued() {
    return queue.size();
  }

  @Override
  public long delivered() {
    return delivered.get();
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  @Override
  public long failed() {
    return failed.get();
  }

  /**
   * Delivers what is queued, waiting at most {@code wait}, then stops the thread (interrupting a
   * delivery still under way) and closes the sink.
   */
  public void close(Duration wait) {
    closing = true;
    LockSupport.unpark(thread);
    try {
      thread.join(Math.max(1, wait.toMillis()));
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sink.close();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(3));
  }
}
