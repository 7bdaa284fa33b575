package io.portico.accounts;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Failed sign-ins counted per key (an account name, whether it exists or not, and a client
 * address). A key may fail {@code free} times; every further failure locks it for twice as long as
 * the one before, from {@link #FIRST_LOCK} up to {@link #MAX_LOCK}. A key with no failure for
 * {@link #FORGET} starts again. A success clears the account's key (not the address's).
 *
 * <p>Not thread-safe: {@link Accounts} calls it under its lock.
 */
final class SignInThrottle {

  static final Duration FIRST_LOCK = Duration.ofSeconds(30);
  static final Duration MAX_LOCK = Duration.ofMinutes(15);
  static final Duration FORGET = Duration.ofMinutes(30);
  private static final int MAX_KEYS = 100_000;

  private static final class Entry {
    int failures;
    Instant last = Instant.EPOCH;
    Instant lockedUntil = Instant.EPOCH;
  }

  private final Map<String, Entry> entries = new HashMap<>();

  /** How long {@code key} is still locked, or null when it may try. */
  @Nullable Duration locked(String key, Instant now) {
    Entry e = entries.get(key);
    if (e == null || !e.lockedUntil.isAfter(now)) {
      return null;
    }
    return Duration.between(now, e.lockedUntil);
  }

  void failed(String key, int free, Instant now) {
    if (entries.size() >= MAX_KEYS) {
      forgetOld(now);
    }
    Entry e = entries.computeIfAbsent(key, k -> new Entry());
    if (Duration.between(e.last, now).compareTo(FORGET) > 0) {
      e.failures = 0;
    }
    e.failures++;
    e.last = now;
    if (e.failures >= free) {
      int doublings = Math.min(e.failures - free, 10);
      Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
      e.lockedUntil = now.plus(lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock);
    }
  }

  void succeeded(String key) {
    entries.remove(key);
  }

  private void forgetOld(Instant now) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (Duration.between(e.last, now).compareTo(FORGET) > 0 && !e.lockedUntil.isAfter(now)) {
        it.remove();
      }
    }
  }
}
