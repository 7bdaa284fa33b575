package io.portico.ai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route's response cache for one request: the lookup before the call, its verdict ({@code HIT},
 * {@code MISS}, {@code BYPASS}) for the response header and the log, and the store of a fresh
 * answer under the key a miss found. A store that fails or is slow makes the request bypass the
 * cache, never fail.
 *
 * <p>Confined to the exchange's event loop: a lookup that completes on another thread (Redis) hands
 * its verdict back through {@link AiRun.Host#execute}.
 */
final class CacheStep {

  private static final Logger log = LoggerFactory.getLogger(CacheStep.class);

  /** What the run does once the verdict is in: {@code answer} is the cached one, or null. */
  interface Verdict {
    void resume(byte @Nullable [] answer);
  }

  private final ResponseCache cache;
  private final boolean shared;
  private @Nullable String key;
  private @Nullable String status;

  private CacheStep(ResponseCache cache, boolean shared) {
    this.cache = cache;
    this.shared = shared;
  }

  /** The step of a route with a cache, or null. */
  static @Nullable CacheStep of(AiPlan plan) {
    ResponseCache c = plan.cache();
    return c == null ? null : new CacheStep(c, plan.sharedCache());
  }

  /** Looks the request up; {@code then} gets the verdict, at once or later on the loop. */
  void lookup(ObjectNode request, AiRun.Host host, Verdict then) {
    if (ResponseCache.refusedBy(host.requestHeaders())) {
      status = ResponseCache.BYPASS;
      then.resume(null);
      return;
    }
    String k = ResponseCache.key(request, shared ? null : host.consumer());
    CompletableFuture<byte @Nullable []> lookup;
    try {
      lookup = cache.get(k);
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    if (lookup.isCompletedExceptionally()) {
      verdict(k, null, true, then);
    } else if (lookup.isDone()) {
      verdict(k, lookup.getNow(null), false, then);
    } else {
      lookup.whenComplete(
          (answer, error) -> host.execute(() -> verdict(k, answer, error != null, then)));
    }
  }

  private void verdict(String k, byte @Nullable [] answer, boolean failed, Verdict then) {
    if (failed) {
      log.debug("ai cache unavailable; the request bypasses it");
      status = ResponseCache.BYPASS;
    } else if (answer == null) {
      status = ResponseCache.MISS;
      key = k;
    } else {
      status = ResponseCache.HIT;
    }
    then.resume(failed ? null : answer);
  }

  /** Whether a fresh answer is to be stored (the request missed). */
  boolean storing() {
    return key != null;
  }

  /** Stores a fresh, complete answer (in the internal OpenAI shape) when the request missed. */
  void store(byte[] completion) {
    String k = key;
    if (k != null) {
      cache.put(k, completion);
    }
  }

  /** The verdict, or null before the lookup (or for a request the cache does not serve). */
  @Nullable String status() {
    return status;
  }
}
