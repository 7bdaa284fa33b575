package io.portico.plugins.ratelimit;

import io.lettuce.core.RedisURI;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import java.time.Duration;

/**
 * Where and how a plugin talks to Redis.
 *
 * @param url a Lettuce URI: {@code redis://host:port/db}, {@code rediss://} for TLS, or {@code
 *     redis-sentinel://host:port,host:port/db#master}
 * @param prefix prepended to every key, so several gateways or test runs can share one Redis
 * @param timeout how long a request waits for Redis before {@code onFailure} applies
 */
public record RedisSettings(String url, String prefix, Duration timeout, FailurePolicy onFailure) {

  static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);

  /** Reads the {@code redis} object of a plugin; null when problems were recorded. */
  static RedisSettings parse(ConfigReader parent, String key, boolean required) {
    ConfigNode node = parent.child(key);
    if (node == null) {
      if (required) {
        parent.required(key, "an object with url, and optionally prefix, timeout and on-failure");
      }
      return null;
    }
    ConfigReader r = ConfigReader.of(node, parent.problems());
    String url = r.requiredString("url", "a Redis URI such as redis://127.0.0.1:6379");
    if (url != null) {
      try {
        RedisURI.create(url);
      } catch (RuntimeException e) {
        r.problems().expected(r.child("url"), "a Redis URI such as redis://127.0.0.1:6379");
        url = null;
      }
    }
    String prefix = r.string("prefix", "portico:");
    Duration timeout = r.duration("timeout", DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
      r.problems().expected(r.child("timeout"), "a duration from 1ms to 10s");
    }
    String failure = r.oneOf("on-failure", null, FailurePolicy.NAMES);
    if (failure == null && !r.has("on-failure")) {
      r.required("on-failure", "one of " + String.join(", ", FailurePolicy.NAMES));
    }
    r.finish();
    return url == null || failure == null
        ? null
        : new RedisSettings(url, prefix, timeout, FailurePolicy.of(failure));
  }
}
