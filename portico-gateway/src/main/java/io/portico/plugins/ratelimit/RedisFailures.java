package io.portico.plugins.ratelimit;

import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What a Redis-backed limit tells a caller it refused with 503 ({@code on-failure: fail-closed}):
 * whether Redis was too slow or could not be reached, and, when too slow, the setting that lets it
 * take longer. An operator who sees 503s under load then knows the answer was a timeout of this
 * gateway's choosing, not Redis being down.
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

  /**
   * The detail of the 503: {@code unavailable} (such as "The rate limit cannot be checked right
   * now.") followed, for a timeout, by how long Redis was given and {@code setting}, the key that
   * raises it.
   */
  public static String detail(
      String unavailable, boolean timedOut, Duration timeout, String setting) {
    if (!timedOut) {
      return unavailable + " Redis could not be reached.";
    }
    return unavailable
        + " Redis did not answer within "
        + timeout.toMillis()
        + " ms; "
        + setting
        + " sets how long it may take.";
  }
}
