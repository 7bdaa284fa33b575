package io.portico.observe.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Measures how late each event loop runs what it is given: a probe scheduled on every loop every
 * {@link #PERIOD_MILLIS} ms records how long after its due time it ran ({@code
 * portico_event_loop_delay_seconds{loop}}), and a gauge shows the tasks waiting in each loop's
 * queue. A loop kept busy by blocking work or a flood of tasks shows as delay here before it shows
 * as latency elsewhere.
 *
 * <p>The probe runs on the loop it measures; it allocates one scheduled task per period.
 */
final class EventLoopDelay implements AutoCloseable {

  static final long PERIOD_MILLIS = 250;

  private final List<Probe> probes = new ArrayList<>();

  EventLoopDelay(EventLoopGroup group, MeterRegistry registry) {
    int i = 0;
    for (EventExecutor e : group) {
      String loop = Integer.toString(i++);
      Timer delay =
          Timer.builder("portico.event.loop.delay")
              .description("How late a task scheduled on the event loop ran")
              .tag("loop", loop)
              .serviceLevelObjectives(Buckets.LOOP_DELAY)
              .register(registry);
      if (e instanceof SingleThreadEventExecutor st) {
        Gauge.builder(
                "portico.event.loop.pending.tasks", st, SingleThreadEventExecutor::pendingTasks)
            .description("Tasks waiting in the event loop's queue")
            .tag("loop", loop)
            .register(registry);
      }
      Probe p = new Probe(e, delay);
      probes.add(p);
      p.schedule();
    }
  }

  @Override
  public void close() {
    probes.forEach(Probe::cancel);
  }

  private static final class Probe implements Runnable {
    private final EventExecutor loop;
    private final Timer delay;
    private long due;
    private volatile @Nullable Future<?> next;
    private volatile boolean closed;

    Probe(EventExecutor loop, Timer delay) {
      this.loop = loop;
      this.delay = delay;
    }

    void schedule() {
      if (closed || loop.isShuttingDown()) {
        return;
      }
      due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);
      try {
        next = loop.schedule(this, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopped) {
        // the loop is shutting down
      }
    }

    @Override
    public void run() {
      delay.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
      schedule();
    }

    void cancel() {
      closed = true;
      Future<?> f = next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
