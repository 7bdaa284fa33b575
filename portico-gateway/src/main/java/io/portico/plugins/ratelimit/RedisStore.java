package io.portico.plugins.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.portico.spi.plugin.PluginContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One Redis connection per URL, shared by every plugin instance that names the URL and kept across
 * config reloads ({@link PluginContext#shared}). Lettuce multiplexes all commands over it, so
 * callers pipeline naturally; every call is asynchronous and never blocks the caller.
 *
 * <p>The connection is opened lazily and reopened by Lettuce after a disconnect; while it is down,
 * commands fail at once rather than queue. If the first connect fails, the next call (at most once
 * a second) tries again.
 */
final class RedisStore implements AutoCloseable {

  private static final Duration RETRY_CONNECT = Duration.ofSeconds(1);

  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;
  private volatile long connectedAt;

  private RedisStore(String url) {
    this.uri = RedisURI.create(url);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
            .build());
  }

  /** The store for {@code url}, shared across plugin instances and reloads. */
  static RedisStore of(PluginContext context, String url) {
    return context.shared("ratelimit.redis " + url, RedisStore.class, () -> new RedisStore(url));
  }

  /**
   * Runs {@code script} with {@code keys} and {@code args}: {@code EVALSHA}, then {@code EVAL} when
   * Redis does not know the script yet. Completes with the script's integer list.
   */
  CompletionStage<List<Object>> eval(Script script, String[] keys, String... args) {
    return connection()
        .thenCompose(
            c ->
                c.async()
                    .<List<Object>>evalsha(script.sha(), ScriptOutputType.MULTI, keys, args)
                    .handle(
                        (result, error) -> {
                          if (error == null) {
                            return CompletableFuture.completedFuture(result);
                          }
                          if (unwrap(error) instanceof RedisNoScriptException) {
                            return c.async()
                                .<List<Object>>eval(
                                    script.text(), ScriptOutputType.MULTI, keys, args)
                                .toCompletableFuture();
                          }
                          return CompletableFuture.<List<Object>>failedFuture(unwrap(error));
                        })
                    .thenCompose(f -> f));
  }

  private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
    CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
    long now = System.nanoTime();
    if (c == null
        || (c.isCompletedExceptionally() && now - connectedAt > RETRY_CONNECT.toNanos())) {
      synchronized (this) {
        c = connection;
        if (c == null
            || (c.isCompletedExceptionally() && now - connectedAt > RETRY_CONNECT.toNanos())) {
          connectedAt = now;
          c = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
          connection = c;
        }
      }
    }
    return c;
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  @Override
  public void close() {
    client.shutdown(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** A Lua script with its SHA-1. */
  record Script(String text, String sha) {

    static Script of(String text) {
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
        return new Script(text, HexFormat.of().formatHex(digest));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is required of every JVM", e);
      }
    }
  }
}
