package io.portico.ai;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.async.RedisStringAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response cache in Redis: {@code GET} and {@code SET … PX ttl} on {@code
 * <prefix>ai-cache:<key>} over one Lettuce connection per URL ({@link Connection}, shared by every
 * route and snapshot and closed at shutdown). A lookup that fails or takes longer than the timeout
 * completes exceptionally, so the request bypasses the cache; a failed store is logged at debug and
 * forgotten.
 */
final class RedisResponseCache implements ResponseCache {

  private static final Logger log = LoggerFactory.getLogger(RedisResponseCache.class);

  private final Connection connection;
  private final String prefix;
  private final long ttlMillis;
  private final Duration timeout;

  RedisResponseCache(Connection connection, String prefix, Duration ttl, Duration timeout) {
    this.connection = connection;
    this.prefix = prefix + "ai-cache:";
    this.ttlMillis = ttl.toMillis();
    this.timeout = timeout;
  }

  @Override
  public CompletableFuture<byte @Nullable []> get(String key) {
    return connection
        .commands()
        .thenCompose(c -> c.get(prefix + key).toCompletableFuture())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void put(String key, byte[] answer) {
    connection
        .commands()
        .thenCompose(c -> c.set(prefix + key, answer, SetArgs.Builder.px(ttlMillis)))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.debug("ai cache: storing an answer in Redis failed: {}", error.toString());
              }
            });
  }

  /**
   * One Redis connection, opened when made (as the first snapshot that needs it compiles) and
   * reopened by Lettuce after a disconnect; while it is down commands fail at once rather than
   * queue. A failed first connect is tried again by the next command, at most once a second.
   */
  static final class Connection implements AutoCloseable {
    private static final long RETRY_CONNECT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CONNECT_WAIT_MILLIS = 2_000;

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private volatile @Nullable CompletableFuture<RedisStringAsyncCommands<String, byte[]>> commands;
    private volatile long connectedAt;

    Connection(String url) {
      this.uri = RedisURI.create(url);
      this.resources =
          DefaultClientResources.builder()
              .ioThreadPoolSize(1)
              .computationThreadPoolSize(1)
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
      // Connect now, while the snapshot compiles (off the event loops), waiting a little for it, so
      // the first lookups do not spend their timeout connecting. Redis down only logs.
      try {
        commands().get(CONNECT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn(
            "ai cache: Redis at {}:{} not reachable yet; requests bypass the cache until it is",
            uri.getHost(),
            uri.getPort());
      }
    }

    CompletableFuture<RedisStringAsyncCommands<String, byte[]>> commands() {
      CompletableFuture<RedisStringAsyncCommands<String, byte[]>> c = commands;
      long now = System.nanoTime();
      if (c == null || (c.isCompletedExceptionally() && now - connectedAt > RETRY_CONNECT_NANOS)) {
        synchronized (this) {
          c = commands;
          if (c == null
              || (c.isCompletedExceptionally() && now - connectedAt > RETRY_CONNECT_NANOS)) {
            connectedAt = now;
            c =
                client
                    .connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri)
                    .<RedisStringAsyncCommands<String, byte[]>>thenApply(s -> s.async())
                    .toCompletableFuture();
            commands = c;
          }
        }
      }
      return c;
    }

    @Override
    public void close() {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
