package io.portico.plugins.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Limits counted in this process: a {@link ConcurrentHashMap} of {@link KeyState}s, one per key.
 * Thread-safe and non-blocking in practice (a key's monitor is held for a few operations).
 *
 * <p>Memory is bounded by {@code maxKeys}: when a new key would exceed it, keys idle for two of
 * their longest windows are swept out; if the map is still full, the oldest-iterated keys are
 * dropped, which only ever forgets a count (a dropped key starts afresh).
 */
final class LocalLimiter {

  private final Map<String, KeyState> states = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final LongSupplier clock;
  private final AtomicBoolean sweeping = new AtomicBoolean();

  LocalLimiter(int maxKeys, LongSupplier clock) {
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  Decision decide(String key, LimitRule[] rules, long cost, Counting counting) {
    long now = clock.getAsLong();
    KeyState state = states.get(key);
    if (state == null) {
      if (states.size() >= maxKeys) {
        sweep(now);
      }
      state = states.computeIfAbsent(key, k -> new KeyState(rules.length));
    }
    return state.decide(rules, cost, counting, now);
  }

  int size() {
    return states.size();
  }

  private void sweep(long now) {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      states.values().removeIf(s -> s.idle(now));
      Iterator<String> it = states.keySet().iterator();
      int excess = states.size() - maxKeys + Math.max(1, maxKeys / 16);
      while (excess-- > 0 && it.hasNext()) {
        it.next();
        it.remove();
      }
    } finally {
      sweeping.set(false);
    }
  }
}
