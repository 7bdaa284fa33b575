package io.portico.plugins.auth.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Introspection answers by the SHA-256 of the token (the token itself is never kept), each until
 * its own expiry, in a least-recently-used map of bounded size. Thread-safe: every operation holds
 * the map's lock for a lookup or an insert only.
 */
final class IntrospectionCache {

  /**
   * A cached answer.
   *
   * @param active whether the token was active
   * @param claims the response's members when active; empty otherwise
   * @param expiresAtNanos {@link System#nanoTime()} after which the answer is dropped
   */
  record Answer(boolean active, Map<String, Object> claims, long expiresAtNanos) {}

  private final Map<String, Answer> answers;

  IntrospectionCache(int maxEntries) {
    this.answers =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > maxEntries;
          }
        };
  }

  static String keyOf(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** The live answer for {@code key}, or null. */
  @Nullable Answer get(String key, long nowNanos) {
    synchronized (answers) {
      Answer a = answers.get(key);
      if (a != null && nowNanos - a.expiresAtNanos() >= 0) {
        answers.remove(key);
        return null;
      }
      return a;
    }
  }

  void put(String key, Answer answer) {
    synchronized (answers) {
      answers.put(key, answer);
    }
  }

  int size() {
    synchronized (answers) {
      return answers.size();
    }
  }
}
