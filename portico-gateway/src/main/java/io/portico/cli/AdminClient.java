package io.portico.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The few admin API calls {@code diff} and {@code apply} make, on the JDK HTTP client: read a
 * collection, post a batch of changes with {@code If-Match}.
 */
final class AdminClient {

  /** An answer: its status, {@code ETag} and JSON body (null when it is not JSON). */
  record Answer(int status, @Nullable String etag, @Nullable JsonNode body, String text) {}

  /** The admin API could not be reached or answered something unreadable. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final @Nullable String token;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AdminClient(AdminOptions options) {
    this.base = options.base();
    this.token = options.token == null || options.token.isEmpty() ? null : options.token;
  }

  Answer get(String path) throws Unreachable {
    return send(request(path).GET());
  }

  Answer post(String path, String json, @Nullable String ifMatch) throws Unreachable {
    HttpRequest.Builder b =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (ifMatch != null) {
      b.header("If-Match", "\"" + ifMatch + "\"");
    }
    return send(b);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Answer send(HttpRequest.Builder b) throws Unreachable {
    HttpRequest req = b.build();
    HttpResponse<String> r;
    try {
      r = client.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unreachable(
          "the admin API at " + base + " cannot be reached: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted", e);
    }
    JsonNode body = null;
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (type.contains("json")) {
      try {
        body = JSON.readTree(r.body());
      } catch (IOException e) {
        throw new Unreachable(req.method() + " " + req.uri() + ": the answer is not JSON", e);
      }
    }
    String etag = r.headers().firstValue("ETag").map(AdminClient::unquote).orElse(null);
    return new Answer(r.statusCode(), etag, body, r.body());
  }

  private static String unquote(String tag) {
    String t = tag.startsWith("W/") ? tag.substring(2) : tag;
    return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
        ? t.substring(1, t.length() - 1)
        : t;
  }
}
