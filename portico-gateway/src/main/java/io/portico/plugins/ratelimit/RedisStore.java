package io.portico.plugins.ratelimit;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.portico.spi.plugin.PluginContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection per URL, shared by every plugin instance that names the URL and kept across
 * config reloads ({@link PluginContext#shared}). Lettuce multiplexes all commands over it, so
 * callers pipeline naturally; every call is asynchronous and never blocks the caller.
 *
 * <p>A standalone or Sentinel URL ({@code redis://}, {@code rediss://}, {@code redis-sentinel://})
 * opens one connection through {@link RedisClient}. A cluster URL ({@code
 * redis-cluster://host:port,host:port}, or {@code rediss-cluster://} for TLS) opens a {@link
 * RedisClusterClient} connection seeded by those nodes: it learns the topology, sends each script
 * call to the node serving the slot of its first key, follows {@code MOVED} and {@code ASK}, and
 * refreshes the topology when the cluster changes. Cluster requires every key of one script call to
 * hash to one slot; callers ensure it by giving all keys of a call the same {@code {hash tag}}.
 *
 * <p>The connection is opened lazily and reopened by Lettuce after a disconnect; while it is down,
 * commands fail at once rather than queue. If the first connect fails, the next call (at most once
 * a second) tries again. On a cluster the same holds per master: the connection is ready once every
 * master serving slots is connected (or has failed to connect), and commands for a master that is
 * down, or newly discovered and still connecting, fail at once while the other slots keep working.
 *
 * <p>An outage is logged once: a warning with the URL (credentials hidden) and the cause at the
 * first call that fails (refused, reset, or past the caller's {@code redis.timeout}), and one line
 * when a call succeeds again; in between, the plugins apply their {@code redis.on-failure} quietly.
 */
final class RedisStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

  private static final Duration RETRY_CONNECT = Duration.ofSeconds(1);

  private static final String CLUSTER = "redis-cluster://";
  private static final String CLUSTER_TLS = "rediss-cluster://";

  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final Supplier<CompletableFuture<RedisScriptingAsyncCommands<String, String>>> connect;
  private volatile @Nullable CompletableFuture<RedisScriptingAsyncCommands<String, String>>
      connection;
  private volatile long connectedAt;
  private final String shownUrl;
  private final AtomicBoolean unreachable = new AtomicBoolean();

  private RedisStore(String url) {
    this.shownUrl = redacted(url);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    if (isCluster(url)) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, clusterNodes(url));
      cluster.setOptions(
          ClusterClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enablePeriodicRefresh(Duration.ofSeconds(30))
                      .build())
              .build());
      this.client = cluster;
      this.connect = () -> connect(cluster);
    } else {
      RedisURI uri = RedisURI.create(url);
      RedisClient single = RedisClient.create(resources);
      single.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
              .build());
      this.client = single;
      this.connect =
          () ->
              single
                  .connectAsync(StringCodec.UTF8, uri)
                  .<RedisScriptingAsyncCommands<String, String>>thenApply(c -> c.async())
                  .toCompletableFuture();
    }
  }

  /**
   * Loads the topology, connects, then opens a connection to every master serving slots, so the
   * first commands are not rejected while their node's connection is still opening. A master that
   * cannot be reached does not fail the connection: commands for its slots fail until it returns.
   */
  private static CompletableFuture<RedisScriptingAsyncCommands<String, String>> connect(
      RedisClusterClient cluster) {
    return cluster
        .refreshPartitionsAsync()
        .thenCompose(loaded -> cluster.connectAsync(StringCodec.UTF8))
        .thenCompose(
            c -> {
              List<CompletableFuture<?>> masters = new ArrayList<>();
              for (RedisClusterNode node : c.getPartitions()) {
                if (!node.getSlots().isEmpty()) {
                  masters.add(
                      c.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                          .handle((connection, error) -> null));
                }
              }
              return CompletableFuture.allOf(masters.toArray(CompletableFuture[]::new))
                  .<RedisScriptingAsyncCommands<String, String>>thenApply(ready -> c.async());
            })
        .toCompletableFuture();
  }

  /**
   * Whether {@code url} names a Redis Cluster ({@code redis-cluster://}, {@code
   * rediss-cluster://}).
   */
  static boolean isCluster(String url) {
    return url.startsWith(CLUSTER) || url.startsWith(CLUSTER_TLS);
  }

  /**
   * The seed nodes of a cluster URL {@code
   * redis[s]-cluster://[user:password@]host[:port],...[?query]}: one {@code redis[s]://} URI per
   * node, each with the URL's credentials and query.
   *
   * @throws IllegalArgumentException when the URL names no node, a database, or a node Lettuce
   *     cannot parse
   */
  static List<RedisURI> clusterNodes(String url) {
    boolean tls = url.startsWith(CLUSTER_TLS);
    String rest = url.substring((tls ? CLUSTER_TLS : CLUSTER).length());
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      char ch = rest.charAt(i);
      if (ch == '/' || ch == '?' || ch == '#') {
        end = i;
        break;
      }
    }
    String authority = rest.substring(0, end);
    String tail = rest.substring(end);
    if (tail.startsWith("/") && !tail.equals("/") && !tail.startsWith("/?")) {
      throw new IllegalArgumentException("a cluster has no databases: " + url);
    }
    tail = tail.startsWith("/") ? tail.substring(1) : tail;
    int at = authority.lastIndexOf('@');
    String credentials = at < 0 ? "" : authority.substring(0, at + 1);
    String hosts = authority.substring(at + 1);
    List<RedisURI> nodes = new ArrayList<>();
    for (String host : hosts.split(",", -1)) {
      if (host.isBlank()) {
        throw new IllegalArgumentException("a cluster node is empty: " + url);
      }
      nodes.add(RedisURI.create((tls ? "rediss://" : "redis://") + credentials + host + tail));
    }
    return nodes;
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
    CompletableFuture<List<Object>> call = evalOnce(script, keys, args);
    // A side branch: the caller's orTimeout on the returned future is seen here too.
    call.whenComplete((result, error) -> observe(error));
    return call;
  }

  private CompletableFuture<List<Object>> evalOnce(Script script, String[] keys, String... args) {
    return connection()
        .thenCompose(
            c ->
                c.<List<Object>>evalsha(script.sha(), ScriptOutputType.MULTI, keys, args)
                    .handle(
                        (result, error) -> {
                          if (error == null) {
                            return CompletableFuture.completedFuture(result);
                          }
                          if (unwrap(error) instanceof RedisNoScriptException) {
                            return c.<List<Object>>eval(
                                    script.text(), ScriptOutputType.MULTI, keys, args)
                                .toCompletableFuture();
                          }
                          return CompletableFuture.<List<Object>>failedFuture(unwrap(error));
                        })
                    .thenCompose(f -> f));
  }

  /** Logs the first failed call of an outage and the first call that succeeds after it. */
  private void observe(@Nullable Throwable error) {
    if (error == null) {
      if (unreachable.get() && unreachable.compareAndSet(true, false)) {
        log.info("Redis at {} answers again", shownUrl);
      }
    } else if (unreachable.compareAndSet(false, true)) {
      log.warn(
          "Redis at {} does not answer ({}): the rate-limit and quota plugins using it apply their"
              + " redis.on-failure until it does; check that Redis runs there and that redis.url"
              + " names it",
          shownUrl,
          cause(error));
    }
  }

  /** The innermost cause of a failed call, in words. */
  private static String cause(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof TimeoutException) {
      return "no answer within redis.timeout";
    }
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (out.indexOf(m) < 0) {
        out.append(out.length() == 0 ? "" : ": ").append(m);
      }
    }
    return out.toString();
  }

  /** {@code url} with its credentials, if any, replaced by {@code ***}. */
  static String redacted(String url) {
    return url.replaceFirst("^([a-z-]+://)[^@/]*@", "$1***@");
  }

  private CompletableFuture<RedisScriptingAsyncCommands<String, String>> connection() {
    CompletableFuture<RedisScriptingAsyncCommands<String, String>> c = connection;
    long now = System.nanoTime();
    if (c == null
        || (c.isCompletedExceptionally() && now - connectedAt > RETRY_CONNECT.toNanos())) {
      synchronized (this) {
        c = connection;
        if (c == null
            || (c.isCompletedExceptionally() && now - connectedAt > RETRY_CONNECT.toNanos())) {
          connectedAt = now;
          c = connect.get();
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
