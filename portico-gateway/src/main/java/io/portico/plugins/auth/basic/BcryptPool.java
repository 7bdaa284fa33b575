package io.portico.plugins.auth.basic;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The small, bounded pool that runs bcrypt checks off the event loops. Shared by every {@code
 * basic-auth} instance (through {@link io.portico.spi.plugin.PluginContext#shared}) and closed when
 * the gateway stops. When its queue is full a check is refused at once, which the plugin answers
 * with 503: a flood of wrong passwords cannot grow memory or latency without bound.
 */
public final class BcryptPool implements AutoCloseable {

  static final String KEY = "auth.bcrypt-pool";

  private final ThreadPoolExecutor executor;

  public BcryptPool() {
    this(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2)), 256);
  }

  BcryptPool(int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "portico-bcrypt-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs {@code check} on the pool; the stage fails at once when the pool is saturated. */
  <T> CompletableFuture<T> submit(Supplier<T> check) {
    try {
      return CompletableFuture.supplyAsync(check, (Executor) executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
