package io.portico.ai;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory response cache: least recently used answers go first once either bound (entries,
 * bytes) is reached; an answer older than the TTL is never served. One lock, held for a map lookup
 * or insert, shared by every event loop. Kept for the snapshot's life: a reload starts empty.
 */
final class MemoryResponseCache implements ResponseCache {

  private record Entry(byte[] answer, long expiresAt) {}

  private final long ttlNanos;
  private final int maxEntries;
  private final long maxBytes;
  private final LongSupplier clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  MemoryResponseCache(long ttlNanos, int maxEntries, long maxBytes, LongSupplier clock) {
    this.ttlNanos = ttlNanos;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<byte @Nullable []> get(String key) {
    long now = clock.getAsLong();
    synchronized (entries) {
      Entry e = entries.get(key);
      if (e == null) {
        return CompletableFuture.completedFuture(null);
      }
      if (now - e.expiresAt() >= 0) {
        entries.remove(key);
        bytes -= e.answer().length + key.length();
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.completedFuture(e.answer());
    }
  }

  @Override
  public void put(String key, byte[] answer) {
    long size = answer.length + key.length();
    if (size > maxBytes) {
      return;
    }
    Entry fresh = new Entry(answer, clock.getAsLong() + ttlNanos);
    synchronized (entries) {
      Entry old = entries.put(key, fresh);
      if (old != null) {
        bytes -= old.answer().length + key.length();
      }
      bytes += size;
      Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
      while ((entries.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
        Map.Entry<String, Entry> eldest = it.next();
        bytes -= eldest.getValue().answer().length + eldest.getKey().length();
        it.remove();
      }
    }
  }

  /** How many answers are held. */
  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
