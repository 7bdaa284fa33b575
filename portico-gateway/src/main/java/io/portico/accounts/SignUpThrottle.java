package io.portico.accounts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The portal's self-service sign-ups, counted over a sliding {@link #WINDOW}: an address may try
 * {@value #PER_ADDRESS} times (accepted or not, so a script cannot probe names or passwords without
 * end), and all addresses together may create {@value #ACCOUNTS} accounts. Beyond either, a sign-up
 * is refused until the oldest counted one leaves the window.
 *
 * <p>Not thread-safe: {@link Accounts} calls it under its lock.
 */
final class SignUpThrottle {

  static final Duration WINDOW = Duration.ofHours(1);
  static final int PER_ADDRESS = 10;
  static final int ACCOUNTS = 100;
  private static final int MAX_ADDRESSES = 100_000;

  private final Map<String, Deque<Instant>> attempts = new HashMap<>();
  private final Deque<Instant> created = new ArrayDeque<>();

  /**
   * Counts an attempt from {@code address} and says how long to wait, or null when it may go on. A
   * refused attempt is not counted.
   */
  @Nullable Duration attempt(String address, Instant now) {
    Instant since = now.minus(WINDOW);
    drop(created, since);
    if (created.size() >= ACCOUNTS) {
      return wait(created, now);
    }
    if (attempts.size() >= MAX_ADDRESSES) {
      forgetOld(since);
    }
    Deque<Instant> mine = attempts.computeIfAbsent(address, a -> new ArrayDeque<>());
    drop(mine, since);
    if (mine.size() >= PER_ADDRESS) {
      return wait(mine, now);
    }
    mine.addLast(now);
    return null;
  }

  /** An account was created by a sign-up. */
  void created(Instant now) {
    created.addLast(now);
  }

  private static Duration wait(Deque<Instant> counted, Instant now) {
    Duration d = Duration.between(now, counted.peekFirst().plus(WINDOW));
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static void drop(Deque<Instant> counted, Instant since) {
    while (!counted.isEmpty() && !counted.peekFirst().isAfter(since)) {
      counted.removeFirst();
    }
  }

  private void forgetOld(Instant since) {
    for (Iterator<Deque<Instant>> it = attempts.values().iterator(); it.hasNext(); ) {
      Deque<Instant> d = it.next();
      drop(d, since);
      if (d.isEmpty()) {
        it.remove();
      }
    }
  }
}
