package io.portico.observe.alert;

import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts every finished exchange into running totals per route, per service and for the whole
 * gateway: requests, 5xx answers, rate-limit refusals, rate-limit decisions taken without Redis,
 * authentication refusals, and a latency histogram. The totals only grow; the evaluator samples
 * them and subtracts an older sample to get a window ({@link History}).
 *
 * <p>Runs on the exchange's event loop: a map lookup by the route's and the service's name (each
 * seen name gets its array once), then lock-free increments of array cells. Nothing is allocated
 * per exchange.
 */
final class AlertFeed implements ExchangeObserver {

  static final int TOTAL = 0;
  static final int ERRORS = 1;
  static final int LIMITED = 2;
  static final int LIMIT_FAILED = 3;
  static final int AUTH_FAILED = 4;
  static final int BUCKETS = 5;

  /** Upper bounds of the latency buckets, in seconds; one more bucket holds the rest. */
  static final double[] BOUNDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  static final int SIZE = BUCKETS + BOUNDS.length + 1;

  /** The route label of requests no route matched. */
  static final String UNMATCHED = "(unmatched)";

  /** What a rule measures: a route, a service, or all traffic. */
  enum Scope {
    ROUTE,
    SERVICE,
    ALL
  }

  private final ConcurrentHashMap<String, AtomicLongArray> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLongArray> services = new ConcurrentHashMap<>();
  private final AtomicLongArray all = new AtomicLongArray(SIZE);

  /**
   * Reads the record during {@link #onExchangeComplete}, on the event loop, and keeps nothing of
   * it.
   */
  @Override
  public boolean keepsRecords() {
    return false;
  }

  /** Reads counts and times, never headers. */
  @Override
  public boolean readsRequestHeaders() {
    return false;
  }

  /** Reads counts and times, never the request id. */
  @Override
  public boolean readsRequestId() {
    return false;
  }

  @Override
  public void onExchangeComplete(ExchangeRecord r) {
    int status = r.status();
    boolean error = status >= 500 && status < 600;
    String decision = r.limitDecision();
    boolean limited = "limited".equals(decision) || (r.repliedBy() != null && status == 429);
    boolean limitFailed =
        decision != null
            && (decision.equals("failed-open")
                || decision.equals("failed-closed")
                || decision.equals("local-fallback"));
    boolean authFailed = r.repliedBy() != null && (status == 401 || status == 403);
    int bucket = bucket(r.durationMillis() / 1000.0);
    record(all, error, limited, limitFailed, authFailed, bucket);
    record(
        cells(routes, r.route() == null ? UNMATCHED : r.route()),
        error,
        limited,
        limitFailed,
        authFailed,
        bucket);
    if (r.service() != null) {
      record(cells(services, r.service()), error, limited, limitFailed, authFailed, bucket);
    }
  }

  private static AtomicLongArray cells(ConcurrentHashMap<String, AtomicLongArray> map, String key) {
    AtomicLongArray c = map.get(key);
    return c != null ? c : map.computeIfAbsent(key, k -> new AtomicLongArray(SIZE));
  }

  private static void record(
      AtomicLongArray c,
      boolean error,
      boolean limited,
      boolean limitFailed,
      boolean authFailed,
      int bucket) {
    c.incrementAndGet(TOTAL);
    if (error) {
      c.incrementAndGet(ERRORS);
    }
    if (limited) {
      c.incrementAndGet(LIMITED);
    }
    if (limitFailed) {
      c.incrementAndGet(LIMIT_FAILED);
    }
    if (authFailed) {
      c.incrementAndGet(AUTH_FAILED);
    }
    c.incrementAndGet(BUCKETS + bucket);
  }

  static int bucket(double seconds) {
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        return i;
      }
    }
    return BOUNDS.length;
  }

  /** The running totals of {@code name} in {@code scope} (zeros for a name not seen yet). */
  long[] totals(Scope scope, String name) {
    AtomicLongArray c =
        switch (scope) {
          case ALL -> all;
          case ROUTE -> routes.get(name);
          case SERVICE -> services.get(name);
        };
    long[] out = new long[SIZE];
    if (c != null) {
      for (int i = 0; i < SIZE; i++) {
        out[i] = c.get(i);
      }
    }
    return out;
  }
}
