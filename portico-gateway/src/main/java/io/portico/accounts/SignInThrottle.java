package io.portico.accounts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Failed sign-ins, counted per account name (whether the account exists or not, in any letter case)
 * and per client address. An account name may fail {@value #FREE_PER_ACCOUNT} times and an address
 * {@value #FREE_PER_ADDRESS} times; every further failure locks the name or address for twice as
 * long as the one before, from {@link #FIRST_LOCK} up to {@link #MAX_LOCK}. A sign-in is refused
 * while either is locked. A name or address with no failure for {@link #FORGET} starts again. A
 * success clears the account name's count (not the address's). An IPv6 client is counted by its /64
 * prefix, the block one host is usually given, not by its address.
 *
 * <p>Bounded, whatever names and addresses a client cycles through: the counts are kept in the
 * order of their last failure, those past {@link #FORGET} are dropped as failures come, and at
 * {@link #DEFAULT_MAX_KEYS} the oldest count without an active lock goes (among the oldest {@link
 * #EVICTION_SCAN}; when all of those are locked, the oldest of all).
 *
 * <p>Not thread-safe: {@link Accounts} calls it under its lock.
 */
final class SignInThrottle {

  static final Duration FIRST_LOCK = Duration.ofSeconds(30);
  static final Duration MAX_LOCK = Duration.ofMinutes(15);
  static final Duration FORGET = Duration.ofMinutes(30);
  private static final int FREE_PER_ACCOUNT = 5;
  private static final int FREE_PER_ADDRESS = 20;
  static final int DEFAULT_MAX_KEYS = 100_000;

  /** How many of the oldest counts an eviction looks through for one without an active lock. */
  static final int EVICTION_SCAN = 64;

  private static final class Entry {
    int failures;
    Instant last = Instant.EPOCH;
    Instant lockedUntil = Instant.EPOCH;
  }

  /** In the order of their last failure, the oldest first. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  private final int maxKeys;

  SignInThrottle() {
    this(DEFAULT_MAX_KEYS);
  }

  SignInThrottle(int maxKeys) {
    this.maxKeys = maxKeys;
  }

  /** How many names and addresses are counted. */
  int size() {
    return entries.size();
  }

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

  /** An IPv4 address as it is; an IPv6 address by its /64 prefix. */
  static String addressKey(String address) {
    if (address.indexOf(':') >= 0) {
      try {
        // a literal (the client's address as Netty gives it): no name is looked up
        byte[] a = InetAddress.getByName(address).getAddress();
        if (a.length == 16) {
          StringBuilder key = new StringBuilder("address:");
          for (int i = 0; i < 8; i += 2) {
            key.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
          }
          return key.append(":/64").toString();
        }
      } catch (UnknownHostException | SecurityException notALiteral) {
        // counted as given
      }
    }
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
    forgetOld(now);
    Entry e = entries.remove(key);
    if (e == null) {
      if (entries.size() >= maxKeys) {
        evictOne(now);
      }
      e = new Entry();
    }
    entries.put(key, e);
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

  /** Drops the counts whose last failure is past {@link #FORGET}: the oldest, at the head. */
  private void forgetOld(Instant now) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      if (Duration.between(it.next().last, now).compareTo(FORGET) <= 0) {
        return;
      }
      it.remove();
    }
  }

  /** Drops the oldest count without an active lock among the oldest few, else the oldest. */
  private void evictOne(Instant now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    for (int i = 0; i < EVICTION_SCAN && it.hasNext(); i++) {
      if (!it.next().getValue().lockedUntil.isAfter(now)) {
        it.remove();
        return;
      }
    }
    it = entries.entrySet().iterator();
    if (it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
