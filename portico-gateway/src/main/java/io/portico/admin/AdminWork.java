package io.portico.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's one blocking thread and the requests that wait for it: a request's answer is
 * computed there ({@link #submit}) and written on its connection's event loop.
 *
 * <p>Every request handed over gets an answer. When the listener closes ({@link #close}), the
 * requests still waiting are answered {@code 503 admin-unavailable} with {@code Connection: close},
 * the one running completes, and {@code close} returns once those answers are written (or a grace
 * period ends), so that the connections can then be closed without cutting one off; a request
 * handed over after that is refused the same way at once.
 *
 * <p>Thread-safe: {@link #submit} is called from the event loops, {@link #close} from the thread
 * that stops the gateway.
 */
final class AdminWork {

  /** How long {@link #close} waits for the running request and for the answers to be written. */
  static final Duration GRACE = Duration.ofSeconds(5);

  /** What an endpoint answers, computed on the admin thread. */
  interface Answer {
    FullHttpResponse get() throws IOException;
  }

  /** The answer to an {@link Answer} that threw. */
  interface Failure {
    FullHttpResponse of(Exception e);
  }

  private final ThreadPoolExecutor executor;

  /** Handed over and not yet answered on the wire (or failed to be). */
  private final Set<Job> open = ConcurrentHashMap.newKeySet();

  AdminWork(String threadName) {
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** How many requests wait for the thread (not counting the one it runs). */
  int waiting() {
    return executor.getQueue().size();
  }

  /**
   * Computes {@code answer} on the admin thread and writes it on {@code ctx}'s loop; {@code
   * failure} answers when it throws. {@code held} (the request, when the answer reads it) is
   * retained here and released once the answer is computed or refused.
   */
  void submit(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      @Nullable ReferenceCounted held,
      Answer answer,
      Failure failure) {
    if (held != null) {
      held.retain();
    }
    Job job = new Job(ctx, keepAlive, held, answer, failure);
    open.add(job);
    try {
      executor.execute(job);
    } catch (RejectedExecutionException closed) {
      job.refuse();
    }
  }

  /**
   * Refuses what waits, lets the running request complete, and waits until every answer is written,
   * at most {@link #GRACE} for each of the two.
   */
  void close() {
    executor.shutdown();
    List<Runnable> waiting = new ArrayList<>();
    executor.getQueue().drainTo(waiting);
    for (Runnable r : waiting) {
      ((Job) r).refuse();
    }
    try {
      executor.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      long end = System.nanoTime() + GRACE.toNanos();
      for (Job j : List.copyOf(open)) {
        long left = end - System.nanoTime();
        if (left <= 0 || !j.written.await(left, TimeUnit.NANOSECONDS)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
    }
  }

  static FullHttpResponse shuttingDown() {
    return AdminHandler.problem(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        "admin-unavailable",
        "The gateway is shutting down.");
  }

  private final class Job implements Runnable {
    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;
    private final @Nullable ReferenceCounted held;
    private final Answer answer;
    private final Failure failure;
    final ChannelPromise written;

    Job(
        ChannelHandlerContext ctx,
        boolean keepAlive,
        @Nullable ReferenceCounted held,
        Answer answer,
        Failure failure) {
      this.ctx = ctx;
      this.keepAlive = keepAlive;
      this.held = held;
      this.answer = answer;
      this.failure = failure;
      this.written = ctx.newPromise();
      written.addListener(f -> open.remove(this));
    }

    @Override
    public void run() {
      FullHttpResponse r;
      try {
        r = answer.get();
      } catch (IOException | RuntimeException e) {
        r = failure.of(e);
      } finally {
        release();
      }
      write(r, keepAlive);
    }

    void refuse() {
      release();
      write(shuttingDown(), false);
    }

    private void release() {
      if (held != null) {
        held.release();
      }
    }

    private void write(FullHttpResponse r, boolean keepAlive) {
      try {
        ctx.executor().execute(() -> AdminHandler.send(ctx, r, keepAlive, written));
      } catch (RejectedExecutionException loopGone) {
        r.release();
        written.tryFailure(loopGone);
      }
    }
  }
}
