package io.portico.plugins.auth.token;

import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON Web Key Sets by URL, fetched with the JDK HTTP client and kept across config reloads (one
 * instance is shared through {@code PluginContext.shared}).
 *
 * <p>Reads ({@link #keys}) never block and never fetch. {@link #refresh} starts a fetch unless one
 * is running (its future is shared) or the last attempt is more recent than {@code minInterval}, so
 * a flood of tokens with unknown {@code kid}s costs at most one request per interval. A failed
 * fetch keeps the previous keys: they are served stale for as long as the endpoint fails. The
 * future completes, on an HTTP client thread, with the keys now known (null when there never were
 * any); callers hand it to {@code Outcome.await}, which resumes on the event loop.
 *
 * <p>Thread-safe: entries are replaced atomically and read through volatile fields.
 */
final class JwksCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

  /** Bodies larger than this are not a key set. */
  static final int MAX_BODY = 512 * 1024;

  /**
   * The state of one key set after a refresh.
   *
   * @param keys the keys known, or null when none were ever fetched
   * @param failed whether the most recent fetch failed
   */
  record Snapshot(@Nullable JWKSet keys, boolean failed) {}

  private final ConcurrentHashMap<URI, Entry> entries = new ConcurrentHashMap<>();
  private final TokenHttpClient http;
  private final LongSupplier nanoClock;

  JwksCache() {
    this(System::nanoTime);
  }

  JwksCache(LongSupplier nanoClock) {
    this.http = new TokenHttpClient("portico-jwks-");
    this.nanoClock = nanoClock;
  }

  /** The keys currently known for {@code uri}, or null. Starts no fetch. */
  @Nullable JWKSet keys(URI uri) {
    Entry e = entries.get(uri);
    return e == null ? null : e.keys;
  }

  /** Whether the keys of {@code uri} were fetched longer than {@code maxAge} ago (or never). */
  boolean stale(URI uri, Duration maxAge) {
    Entry e = entries.get(uri);
    return e == null || e.keys == null || nanoClock.getAsLong() - e.fetchedAt > maxAge.toNanos();
  }

  /**
   * Fetches the key set unless a fetch is in flight (then its future) or the last attempt is more
   * recent than {@code minInterval} (then the keys as they are).
   */
  CompletableFuture<Snapshot> refresh(URI uri, Duration minInterval, Duration timeout) {
    Entry entry = entries.computeIfAbsent(uri, u -> new Entry());
    synchronized (entry) {
      if (entry.inflight != null) {
        return entry.inflight;
      }
      long now = nanoClock.getAsLong();
      if (entry.attempted && now - entry.attemptedAt < minInterval.toNanos()) {
        return CompletableFuture.completedFuture(new Snapshot(entry.keys, entry.failed));
      }
      entry.attempted = true;
      entry.attemptedAt = now;
      CompletableFuture<Snapshot> fetch =
          fetch(uri, timeout)
              .handle(
                  (keys, error) -> {
                    synchronized (entry) {
                      entry.inflight = null;
                      if (keys == null && !entry.failed) {
                        warnFailed(uri, error);
                      }
                      entry.failed = keys == null;
                      if (keys != null) {
                        entry.keys = keys;
                        entry.fetchedAt = nanoClock.getAsLong();
                      }
                      return new Snapshot(entry.keys, entry.failed);
                    }
                  });
      if (!fetch.isDone()) {
        entry.inflight = fetch;
      }
      return fetch;
    }
  }

  /** Once per run of failed fetches of one URL: which URL, why, and what to check. */
  private static void warnFailed(URI uri, @Nullable Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    String why =
        cause == null
            ? "it holds no public key"
            : cause.getMessage() == null
                ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    log.warn(
        "JWKS at {} could not be fetched ({}): tokens that need its keys are answered 503"
            + " (jwks_unavailable) until it answers; check that it runs there and that the jwt"
            + " plugin's issuers[].jwks-url names it",
        uri,
        why);
  }

  private CompletableFuture<JWKSet> fetch(URI uri, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").build();
    return http.client()
        .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            response -> {
              byte[] body = response.body();
              if (response.statusCode() != 200 || body.length > MAX_BODY) {
                throw new IllegalStateException("JWKS answered " + response.statusCode());
              }
              try {
                JWKSet set = JWKSet.parse(new String(body, StandardCharsets.UTF_8));
                return set.toPublicJWKSet().getKeys().isEmpty() ? null : set.toPublicJWKSet();
              } catch (java.text.ParseException e) {
                throw new IllegalStateException("JWKS is not a key set", e);
              }
            });
  }

  @Override
  public void close() {
    http.close();
  }

  /** One URL's state; guarded by its own monitor, keys read without it. */
  private static final class Entry {
    volatile @Nullable JWKSet keys;
    volatile long fetchedAt;
    boolean attempted;
    boolean failed;
    long attemptedAt;
    @Nullable CompletableFuture<Snapshot> inflight;
  }
}
