package io.portico.upstream.discovery.etcd;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.upstream.Endpoint;
import io.portico.upstream.discovery.Instances;
import io.portico.upstream.discovery.RegistrySource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * The instances under an etcd v3 key prefix, each value {@code {"host": "10.0.0.1", "port": 8080,
 * "weight": 2}}, through etcd's JSON gateway:
 *
 * <pre>
 *   POST /v3/kv/range {prefix} ─▶ answer(instances), revision R
 *   POST /v3/watch {prefix, start_revision: R+1} ─▶ a stream of events ─▶ on each, range again
 *        └─ the stream ends or fails (etcd down) ─▶ unreachable, range and watch again after a
 *           back-off, on the next member
 * </pre>
 *
 * <p>A value that is not such an instance makes the whole answer garbage: ignored and logged, the
 * last list stays.
 *
 * <p>Threading: requests are asynchronous on the JDK HTTP client; the watch stream is read by a
 * line subscriber on its threads; ranges and retries run on the source's timer thread.
 */
final class EtcdEndpointSource extends RegistrySource {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final EtcdSettings settings;
  private final HttpClient client;
  private final String key;
  private final String rangeEnd;
  private int member;
  private long generation;
  private @Nullable CompletableFuture<?> watch;

  EtcdEndpointSource(String service, EtcdSettings settings) {
    super(
        "etcd " + settings.prefix() + " (" + service + ")",
        settings.allowEmpty(),
        settings.limits());
    this.settings = settings;
    this.client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    byte[] prefix = settings.prefix().getBytes(StandardCharsets.UTF_8);
    this.key = Base64.getEncoder().encodeToString(prefix);
    this.rangeEnd = Base64.getEncoder().encodeToString(prefixEnd(prefix));
  }

  /** The smallest key greater than every key with {@code prefix}, as etcd defines it. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return java.util.Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0};
  }

  @Override
  protected void watch() {
    rangeThenWatch();
  }

  private URI uri(String path) {
    URI base = settings.endpoints().get(member % settings.endpoints().size());
    return URI.create(base.toString().replaceAll("/+$", "") + path);
  }

  /** Reads the prefix; on success publishes it and (re)starts the watch after its revision. */
  private void rangeThenWatch() {
    ObjectNode body = JSON.createObjectNode().put("key", key).put("range_end", rangeEnd);
    HttpRequest request =
        HttpRequest.newBuilder(uri("/v3/kv/range"))
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      failedThenRetry(() -> unreachable(request.uri() + ": " + e));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (response.statusCode() != 200) {
      failedThenRetry(() -> unreachable("etcd answered " + response.statusCode()));
      return;
    }
    long revision;
    List<Endpoint> endpoints;
    try {
      JsonNode root = JSON.readTree(response.body());
      revision = root.path("header").path("revision").asLong(-1);
      if (revision < 0) {
        throw new IllegalArgumentException("expected a header with a revision");
      }
      endpoints = instances(root.path("kvs"));
    } catch (JacksonException e) {
      failedThenRetry(() -> garbage("the range answer is not JSON: " + e.getOriginalMessage()));
      return;
    } catch (IOException | IllegalArgumentException e) {
      failedThenRetry(() -> garbage(String.valueOf(e.getMessage())));
      return;
    } catch (Instances.UnreadableInstance e) {
      garbage(String.valueOf(e.getMessage()));
      startWatch(revisionOf(response.body()));
      return;
    }
    answer(endpoints);
    startWatch(revision);
  }

  private static long revisionOf(byte[] body) {
    try {
      return JSON.readTree(body).path("header").path("revision").asLong(0);
    } catch (IOException e) {
      return 0;
    }
  }

  private List<Endpoint> instances(JsonNode kvs) throws Instances.UnreadableInstance {
    List<Endpoint> out = new ArrayList<>();
    if (kvs.isMissingNode() || kvs.isNull()) {
      return out;
    }
    for (JsonNode kv : kvs) {
      String k = decode(kv.path("key").asText(""));
      String value = decode(kv.path("value").asText(""));
      JsonNode instance;
      try {
        instance = JSON.readTree(value);
      } catch (IOException e) {
        throw new Instances.UnreadableInstance(k + ": not JSON");
      }
      out.add(Instances.read(instance == null ? JSON.nullNode() : instance, k));
    }
    return out;
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** Watches the prefix from {@code revision + 1}; any event reads the prefix again. */
  private void startWatch(long revision) {
    long mine;
    synchronized (this) {
      mine = ++generation;
    }
    ObjectNode create = JSON.createObjectNode();
    create
        .putObject("create_request")
        .put("key", key)
        .put("range_end", rangeEnd)
        .put("start_revision", revision + 1);
    HttpRequest request =
        HttpRequest.newBuilder(uri("/v3/watch"))
            .POST(HttpRequest.BodyPublishers.ofString(create.toString()))
            .build();
    CompletableFuture<HttpResponse<Void>> f =
        client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Events(mine)));
    f.whenComplete(
        (response, error) -> {
          if (error != null) {
            watchEnded(mine, request.uri() + ": " + error);
          } else if (response.statusCode() != 200) {
            watchEnded(mine, "etcd answered the watch with " + response.statusCode());
          } else {
            watchEnded(mine, "etcd ended the watch");
          }
        });
    synchronized (this) {
      watch = f;
    }
  }

  private void watchEnded(long gen, String reason) {
    synchronized (this) {
      if (gen != generation) {
        return;
      }
      generation++;
    }
    failedThenRetry(() -> unreachable(reason));
  }

  private void changed(long gen) {
    synchronized (this) {
      if (gen != generation) {
        return;
      }
      generation++;
      if (watch != null) {
        watch.cancel(true);
      }
    }
    schedule(this::rangeThenWatch, Duration.ZERO);
  }

  private void failedThenRetry(Runnable report) {
    report.run();
    synchronized (this) {
      member++;
    }
    schedule(this::rangeThenWatch, retryDelay());
  }

  /** The watch stream's lines: a created notice, then events. */
  private final class Events implements Flow.Subscriber<String> {
    private final long gen;

    Events(long gen) {
      this.gen = gen;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.isBlank()) {
        return;
      }
      try {
        JsonNode result = JSON.readTree(line).path("result");
        if (result.path("canceled").asBoolean(false)
            || result.path("compact_revision").asLong(0) > 0) {
          changed(gen);
        } else if (result.path("events").size() > 0) {
          changed(gen);
        }
      } catch (IOException e) {
        garbage("a watch event is not JSON: " + e.getMessage());
        changed(gen);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      watchEnded(gen, "the watch failed: " + throwable);
    }

    @Override
    public void onComplete() {
      watchEnded(gen, "etcd ended the watch");
    }
  }

  @Override
  protected synchronized void stopWatching() {
    generation++;
    if (watch != null) {
      watch.cancel(true);
    }
  }
}
