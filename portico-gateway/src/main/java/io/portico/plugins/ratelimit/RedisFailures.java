package io.portico.plugins.ratelimit;

import io.lettuce.core.RedisCommandTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What a Redis-backed limit tells a caller it refused with 503 ({@code on-failure: fail-closed}):
 * that the limit could not be checked and when to retry, never what stands behind it. Whether Redis
 * was too slow or could not be reached is the operator's to know: {@link RedisStore} logs the store
 * and the cause.
 */
public final class RedisFailures {

  private RedisFailures() {}

  /**
   * Whether {@code error} (as a {@link java.util.concurrent.CompletionStage} hands it, wrapped or
   * not) is a call that outlived its timeout: the limiter's own deadline or Lettuce's command
   * timeout.
   */
  public static boolean timedOut(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e instanceof TimeoutException || e instanceof RedisCommandTimeoutException;
  }

  /** The seconds a refused caller is told to wait, in {@code Retry-After} and in the detail. */
  public static final int RETRY_AFTER_SECONDS = 1;

  /**
   * The detail of the 503: {@code unavailable} (such as "The rate limit cannot be checked right
   * now.") and when to retry. It names no store and no cause: those are the operator's, in the log
   * line {@link RedisStore} writes at the first failed call of an outage.
   */
  public static String detail(String unavailable) {
    return unavailable + " Retry after " + RETRY_AFTER_SECONDS + " s.";
  }
}
