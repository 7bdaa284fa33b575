package io.portico.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds retries to a share of the requests a service received recently, so that retries cannot
 * multiply the load on a failing service. Windows of ten seconds; a small floor lets a quiet
 * service retry at all. Thread-safe, lock-free.
 */
public final class RetryBudget {

  private static final long WINDOW_NANOS = 10_000_000_000L;
  private static final long MIN_RETRIES_PER_WINDOW = 10;

  private final int percent;
  private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  public RetryBudget(int percent) {
    this.percent = percent;
  }

  /** Counts a first attempt. */
  public void onRequest() {
    roll();
    requests.incrementAndGet();
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  public boolean tryRetry() {
    roll();
    long allowed = Math.max(MIN_RETRIES_PER_WINDOW, requests.get() * percent / 100);
    if (retries.incrementAndGet() > allowed) {
      retries.decrementAndGet();
      return false;
    }
    return true;
  }

  private void roll() {
    long start = windowStart.get();
    long now = System.nanoTime();
    if (now - start > WINDOW_NANOS && windowStart.compareAndSet(start, now)) {
      requests.set(0);
      retries.set(0);
    }
  }
}
