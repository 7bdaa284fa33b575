package io.portico.upstream.discovery.consul;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.upstream.Endpoint;
import io.portico.upstream.discovery.Registries;
import io.portico.upstream.discovery.RegistrySource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The passing instances of a Consul service, by blocking queries on {@code
 * /v1/health/service/<service>?passing=true}:
 *
 * <pre>
 *   GET ?index=0 ─▶ list, X-Consul-Index: 42 ─▶ answer(list)
 *   GET ?index=42&amp;wait=30s ─▶ held by Consul until the service changes or the wait ends ─▶ ...
 * </pre>
 *
 * <p>An instance's address is its service address, else its node's; its weight is its {@code
 * Weights.Passing}. Instances without every configured tag are left out. An index that goes
 * backwards (a Consul restart) starts again from 0. A failed query, a status other than 200 or a
 * body that does not parse keeps the last list; the next query follows after a back-off.
 *
 * <p>Threading: requests are asynchronous on the JDK HTTP client; answers are handled on its
 * threads, retries scheduled on the source's timer.
 */
final class ConsulEndpointSource extends RegistrySource {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConsulSettings settings;
  private final HttpClient client;
  private long index;
  private @Nullable CompletableFuture<?> inFlight;

  ConsulEndpointSource(String service, ConsulSettings settings) {
    super(
        "consul " + settings.service() + " (" + service + ")",
        settings.allowEmpty(),
        settings.limits());
    this.settings = settings;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Override
  protected void watch() {
    query();
  }

  private synchronized void query() {
    if (closing()) {
      return;
    }
    StringBuilder uri =
        new StringBuilder(settings.address().toString().replaceAll("/+$", ""))
            .append("/v1/health/service/")
            .append(encode(settings.service()))
            .append("?passing=true&index=")
            .append(index)
            .append("&wait=")
            .append(settings.blockFor().toSeconds())
            .append('s');
    if (settings.datacenter() != null) {
      uri.append("&dc=").append(encode(settings.datacenter()));
    }
    for (String tag : settings.tags()) {
      uri.append("&tag=").append(encode(tag));
    }
    Duration timeout = settings.blockFor().plus(settings.blockFor().dividedBy(16)).plusSeconds(5);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(uri.toString())).timeout(timeout).GET().build();
    inFlight =
        client
            .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
            .whenComplete(
                (response, error) -> {
                  if (error != null) {
                    retry(() -> unreachable(settings.address() + ": " + error));
                  } else {
                    onResponse(response);
                  }
                });
  }

  private void onResponse(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      retry(() -> unreachable("Consul answered " + response.statusCode()));
      return;
    }
    List<Endpoint> endpoints;
    try {
      endpoints = instances(JSON.readTree(response.body()));
    } catch (JacksonException e) {
      retry(() -> garbage("the body is not JSON: " + e.getOriginalMessage()));
      return;
    } catch (java.io.IOException e) {
      retry(() -> garbage("the body cannot be read: " + e));
      return;
    } catch (IllegalArgumentException e) {
      retry(() -> garbage(String.valueOf(e.getMessage())));
      return;
    }
    long next = response.headers().firstValueAsLong("X-Consul-Index").orElse(0);
    synchronized (this) {
      index = next < index || next < 0 ? 0 : next;
    }
    answer(endpoints);
    query();
  }

  private void retry(Runnable report) {
    report.run();
    synchronized (this) {
      index = 0;
    }
    schedule(this::query, retryDelay());
  }

  private List<Endpoint> instances(@Nullable JsonNode root) {
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("expected a JSON list of instances");
    }
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode entry = root.get(i);
      JsonNode service = entry.path("Service");
      if (!service.isObject()) {
        throw new IllegalArgumentException("[" + i + "].Service: expected an object");
      }
      if (!hasTags(service.path("Tags"))) {
        continue;
      }
      String host = service.path("Address").asText("");
      if (host.isEmpty()) {
        host = entry.path("Node").path("Address").asText("");
      }
      JsonNode port = service.path("Port");
      if (host.isEmpty() || !port.canConvertToInt() || !Registries.validPort(port.asLong())) {
        throw new IllegalArgumentException(
            "[" + i + "]: " + host + ":" + port + " (expected: an address and a port)");
      }
      int weight = service.path("Weights").path("Passing").asInt(1);
      Endpoint e = Registries.endpoint(host, port.asInt(), weight);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  private boolean hasTags(JsonNode tags) {
    for (String wanted : settings.tags()) {
      boolean found = false;
      for (JsonNode t : tags) {
        found |= wanted.equals(t.asText());
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  protected synchronized void stopWatching() {
    if (inFlight != null) {
      inFlight.cancel(true);
    }
  }
}
