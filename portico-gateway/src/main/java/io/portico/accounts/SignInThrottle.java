package io.portico.accounts;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Failed sign-ins, counted per account name (whether the account exists or not, in any letter case)
 * and per client address. An account name may fail {@value #FREE_PER_ACCOUNT} times and an address
 * {@value #FREE_PER_ADDRESS} times; every further failure locks the name or address for twice as
 * long as the one before, from {@link #FIRST_LOCK} up to {@link #MAX_LOCK}. A sign-in is refused
 * while either is locked. A name or address with no failure for {@link #FORGET} starts again. A
 * success clears the account name's count (not the address's).
 *
 * <p>Not thread-safe: {@link Accounts} calls it under its lock.
 */
final class SignInThrottle {

  static final Duration FIRST_LOCK = Duration.ofSeconds(30);
  static final Duration MAX_LOCK = Duration.ofMinutes(15);
  static final Duration FORGET = Duration.ofMinutes(30);
  private static final int FREE_PER_ACCOUNT = 5;
  private static final int FREE_PER_ADDRESS = 20;
  private static final int MAX_KEYS = 100_000;

  private static final class Entry {
    int failures;
    Instant last = Instant.EPOCH;
    Instant lockedUntil = Instant.EPOCH;
  }

  private final Map<String, Entry> entries = new HashMap<>();

  /** How long a sign-in as {@code name} from {@code address} is still refused, or null. */
  @Nullable Duration locked(String name, String address, Instant now) {
    Duration account = locked(accountKey(name), now);
    Duration from = locked(addressKey(address), now);
    if (account == null) {
      return from;
    }
    return from == null || account.compareTo(from) >= 0 ? account : from;
  }

  /** A sign-in as {@code name} from {@code address} failed. */
  void failed(String name, String address, Instant now) {
    failed(accountKey(name), FREE_PER_ACCOUNT, now);
    failed(addressKey(address), FREE_PER_ADDRESS, now);
  }

  /** A sign-in as {@code name} succeeded. */
  void succeeded(String name) {
    entries.remove(accountKey(name));
  }

  private static String accountKey(String name) {
    return "account:" + name.toLowerCase(Locale.ROOT);
  }

  private static String addressKey(String address) {
    return "address:" + address;
  }

  private @Nullable Duration locked(String key, Instant now) {
    Entry e = entries.get(key);
    if (e == null || !e.lockedUntil.isAfter(now)) {
      return null;
    }
    return Duration.between(now, e.lockedUntil);
  }

  private void failed(String key, int free, Instant now) {
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

  private void forgetOld(Instant now) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (Duration.between(e.last, now).compareTo(FORGET) > 0 && !e.lockedUntil.isAfter(now)) {
        it.remove();
      }
    }
  }
}
