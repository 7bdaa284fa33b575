package io.portico.upstream.health;

import io.portico.config.HealthConfig;
import io.portico.upstream.CallFailure;
import io.portico.upstream.CallGate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A service's circuit breaker: limits on connections, requests waiting for one and requests in
 * flight (a refusal is {@link CallFailure#OVERLOADED}), and a failure-rate trip (a refusal while
 * open is {@link CallFailure#CIRCUIT_OPEN}).
 *
 * <pre>
 *            failures / requests in the window ≥ threshold (and ≥ minimum-requests)
 *   CLOSED ───────────────────────────────────────────────────────────────▶ OPEN
 *     ▲                                                                     │ open-duration
 *     │ half-open-requests calls succeeded         any call failed          ▼
 *     └──────────────────────────────────── HALF_OPEN ─────────────────▶ OPEN again
 *                                  (admits half-open-requests calls, refuses the rest)
 * </pre>
 *
 * <p>A call fails when it ends without a response or with a 5xx; a call the client abandoned, or
 * that a limit refused, counts for nothing. While half-open, every call that ends counts, also one
 * admitted before the circuit opened.
 *
 * <p>One per service, shared by every event loop, so its limits are exact for the whole gateway
 * rather than per loop: counters are atomics (an increment and a decrement per call for the limits
 * in use), the window is ten time slices of atomic counters, and the state is a volatile int
 * changed by compare-and-set. Nothing locks, nothing allocates per call. Kept across reloads that
 * leave its settings and the service's endpoint source as they were ({@link HealthCheckers}).
 */
public final class CircuitBreaker implements CallGate {

  /** The states, as the admin API shows them. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private static final int SLICES = 10;

  private final HealthConfig.CircuitBreaker config;
  private final HealthConfig.@Nullable FailureRate rate;
  private final LongSupplier clock;
  private final long sliceNanos;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLongArray sliceEpochs = new AtomicLongArray(SLICES);
  private final AtomicLongArray sliceRequests = new AtomicLongArray(SLICES);
  private final AtomicLongArray sliceFailures = new AtomicLongArray(SLICES);
  private final AtomicInteger state = new AtomicInteger(State.CLOSED.ordinal());
  private final AtomicInteger halfOpenPermits = new AtomicInteger();
  private final AtomicInteger halfOpenSuccesses = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private volatile long openUntil;

  public CircuitBreaker(HealthConfig.CircuitBreaker config) {
    this(config, System::nanoTime);
  }

  CircuitBreaker(HealthConfig.CircuitBreaker config, LongSupplier clock) {
    this.config = config;
    this.rate = config.failureRate();
    this.clock = clock;
    this.sliceNanos = rate == null ? 1 : Math.max(1, rate.window().toNanos() / SLICES);
    for (int i = 0; i < SLICES; i++) {
      sliceEpochs.set(i, -1);
    }
  }

  @Override
  public @Nullable CallFailure admit() {
    if (rate != null && !admitByState()) {
      return CallFailure.CIRCUIT_OPEN;
    }
    int max = config.maxInFlight();
    int now = inFlight.incrementAndGet();
    if (max > 0 && now > max) {
      inFlight.decrementAndGet();
      giveBackHalfOpenPermit();
      return CallFailure.OVERLOADED;
    }
    return null;
  }

  private boolean admitByState() {
    int s = state.get();
    if (s == State.CLOSED.ordinal()) {
      return true;
    }
    if (s == State.OPEN.ordinal()) {
      if (clock.getAsLong() - openUntil < 0) {
        return false;
      }
      if (state.compareAndSet(s, State.HALF_OPEN.ordinal())) {
        halfOpenSuccesses.set(0);
        halfOpenPermits.set(rate == null ? 1 : rate.halfOpenRequests());
      }
    }
    if (state.get() != State.HALF_OPEN.ordinal()) {
      return state.get() == State.CLOSED.ordinal();
    }
    return halfOpenPermits.getAndDecrement() > 0;
  }

  private void giveBackHalfOpenPermit() {
    if (state.get() == State.HALF_OPEN.ordinal()) {
      halfOpenPermits.incrementAndGet();
    }
  }

  @Override
  public boolean startWaiting() {
    int max = config.maxPending();
    if (max <= 0) {
      return true;
    }
    if (pending.incrementAndGet() > max) {
      pending.decrementAndGet();
      return false;
    }
    return true;
  }

  @Override
  public void stopWaiting() {
    if (config.maxPending() > 0) {
      pending.decrementAndGet();
    }
  }

  @Override
  public boolean tryOpenConnection() {
    int max = config.maxConnections();
    if (connections.incrementAndGet() > max && max > 0) {
      connections.decrementAndGet();
      return false;
    }
    return true;
  }

  @Override
  public void connectionClosed() {
    connections.decrementAndGet();
  }

  @Override
  public void onCallEnd(@Nullable CallFailure failure, int status) {
    inFlight.decrementAndGet();
    if (rate == null || failure == CallFailure.CANCELLED || failure == CallFailure.OVERLOADED) {
      return;
    }
    boolean failed = failure != null || status >= 500;
    int s = state.get();
    if (s == State.HALF_OPEN.ordinal()) {
      if (failed) {
        open(s);
      } else if (halfOpenSuccesses.incrementAndGet() >= rate.halfOpenRequests()
          && state.compareAndSet(s, State.CLOSED.ordinal())) {
        clearWindow();
      }
      return;
    }
    if (s != State.CLOSED.ordinal()) {
      return;
    }
    long now = clock.getAsLong();
    long epoch = Math.floorDiv(now, sliceNanos);
    int i = (int) Math.floorMod(epoch, (long) SLICES);
    long seen = sliceEpochs.get(i);
    if (seen != epoch && sliceEpochs.compareAndSet(i, seen, epoch)) {
      sliceRequests.set(i, 0);
      sliceFailures.set(i, 0);
    }
    sliceRequests.incrementAndGet(i);
    if (!failed) {
      return;
    }
    sliceFailures.incrementAndGet(i);
    long requests = 0;
    long failures = 0;
    for (int j = 0; j < SLICES; j++) {
      long e = sliceEpochs.get(j);
      if (e <= epoch && epoch - e < SLICES) {
        requests += sliceRequests.get(j);
        failures += sliceFailures.get(j);
      }
    }
    if (requests >= rate.minimumRequests() && failures >= rate.threshold() * requests) {
      open(s);
    }
  }

  private void open(int from) {
    if (rate != null) {
      openUntil = clock.getAsLong() + rate.openDuration().toNanos();
    }
    if (state.compareAndSet(from, State.OPEN.ordinal())) {
      opened.incrementAndGet();
      clearWindow();
    }
  }

  private void clearWindow() {
    for (int i = 0; i < SLICES; i++) {
      sliceEpochs.set(i, -1);
      sliceRequests.set(i, 0);
      sliceFailures.set(i, 0);
    }
  }

  /** The state now (an open circuit past its open duration shows as half-open). */
  public State state() {
    State s = State.values()[state.get()];
    if (s == State.OPEN && clock.getAsLong() - openUntil >= 0) {
      return State.HALF_OPEN;
    }
    return s;
  }

  /** How many times the circuit opened. */
  public int timesOpened() {
    return opened.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int pending() {
    return pending.get();
  }

  public int connections() {
    return connections.get();
  }

  public HealthConfig.CircuitBreaker config() {
    return config;
  }
}
