package io.portico.plugins.ratelimit;

import io.lettuce.core.RedisURI;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where and how a plugin talks to Redis.
 *
 * @param url a Lettuce URI: {@code redis://host:port/db}, {@code rediss://} for TLS, {@code
 *     redis-sentinel://host:port,host:port/db#master}; or for Redis Cluster {@code
 *     redis-cluster://host:port,host:port} ({@code rediss-cluster://} for TLS), the seed nodes
 * @param prefix prepended to every key, so several gateways or test runs can share one Redis
 * @param timeout how long a request waits for Redis before {@code onFailure} applies
 */
public record RedisSettings(String url, String prefix, Duration timeout, FailurePolicy onFailure) {

  static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
  private static final String URL_RULE =
      "a Redis URI such as redis://127.0.0.1:6379, redis-sentinel://host:26379#master or"
          + " redis-cluster://host:6379,host:6380";

  /**
   * Records a problem when {@code name}, which goes inside the hash tag of every Redis key, holds a
   * brace: a Redis Cluster would then hash the keys of one script call to different slots.
   */
  static void checkName(ConfigReader config, String name) {
    if (name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
      config.expected("name", "no { or } with policy redis");
    }
  }

  /** Reads the {@code redis} object of a plugin; null when problems were recorded. */
  static @Nullable RedisSettings parse(ConfigReader parent, String key, boolean required) {
    ConfigNode node = parent.child(key);
    if (node == null) {
      if (required) {
        parent.required(key, "an object with url, and optionally prefix, timeout and on-failure");
      }
      return null;
    }
    ConfigReader r = ConfigReader.of(node, parent.problems());
    String url = r.requiredString("url", URL_RULE);
    if (url != null) {
      try {
        if (RedisStore.isCluster(url)) {
          RedisStore.clusterNodes(url);
        } else {
          RedisURI.create(url);
        }
      } catch (RuntimeException e) {
        // host:port alone, as other gateways write redis_host and redis_port: the scheme is missing
        r.expected("url", URL_RULE + (url.contains("://") ? "" : "; write redis://" + url.trim()));
        url = null;
      }
    }
    String prefix = r.string("prefix", "portico:");
    if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      r.expected("prefix", "no { or } (the plugin sets the key's hash tag)");
      prefix = null;
    }
    Duration timeout =
        r.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(1), Duration.ofSeconds(10));
    String failure = r.oneOf("on-failure", null, FailurePolicy.NAMES);
    if (failure == null && !r.has("on-failure")) {
      r.required("on-failure", "one of " + String.join(", ", FailurePolicy.NAMES));
    }
    r.finish();
    return url == null || prefix == null || failure == null
        ? null
        : new RedisSettings(url, prefix, timeout, FailurePolicy.of(failure));
  }
}
