package io.portico.ai;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * A provider's keys in rotation, each with the time until which it is left out (cooling down after
 * a 401, 403 or 429). A provider without keys has one slot with no key, so that a 429 with {@code
 * Retry-After} still makes the provider wait. Shared by every event loop: the cursor and the
 * cool-down times are atomics, nothing blocks.
 */
final class KeyRing {

  private final List<String> keys;
  private final AtomicLongArray coolUntil;
  private final AtomicInteger cursor = new AtomicInteger();
  private final long defaultCooldownNanos;

  KeyRing(List<String> keys, long defaultCooldownNanos) {
    this.keys = keys;
    this.coolUntil = new AtomicLongArray(Math.max(1, keys.size()));
    this.defaultCooldownNanos = defaultCooldownNanos;
  }

  /** The next key slot not cooling down at {@code now} (and not in {@code tried}), or -1. */
  int next(long now, long tried) {
    int n = coolUntil.length();
    int start = Math.floorMod(cursor.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      int slot = (start + i) % n;
      if ((tried & (1L << Math.min(slot, 63))) == 0 && usable(slot, now)) {
        return slot;
      }
    }
    return -1;
  }

  /** The key of a slot, or null for a provider without keys. */
  @Nullable String key(int slot) {
    return keys.isEmpty() ? null : keys.get(slot);
  }

  /**
   * {@code message} with every key of the ring replaced by {@code [redacted]}: a provider's error
   * text is relayed to the client, and a provider (or a proxy in front of it) that echoes the
   * request's credentials in its error would otherwise hand the key to whoever sent the request.
   */
  String redact(String message) {
    String out = message;
    for (String key : keys) {
      if (!key.isEmpty() && out.contains(key)) {
        out = out.replace(key, "[redacted]");
      }
    }
    return out;
  }

  /** Whether any slot is usable at {@code now}. */
  boolean available(long now) {
    for (int i = 0; i < coolUntil.length(); i++) {
      if (usable(i, now)) {
        return true;
      }
    }
    return false;
  }

  /** Leaves the slot out until {@code now + nanos}, or the default cool-down when negative. */
  void coolDown(int slot, long now, long nanos) {
    long until = now + (nanos < 0 ? defaultCooldownNanos : nanos);
    coolUntil.accumulateAndGet(slot, until, Math::max);
  }

  /** Nanoseconds until some slot is usable again: 0 when one is usable now. */
  long usableIn(long now) {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < coolUntil.length(); i++) {
      if (usable(i, now)) {
        return 0;
      }
      min = Math.min(min, coolUntil.get(i) - now);
    }
    return min;
  }

  private boolean usable(int slot, long now) {
    long until = coolUntil.get(slot);
    return until == 0 || until - now <= 0;
  }

  int size() {
    return coolUntil.length();
  }
}
