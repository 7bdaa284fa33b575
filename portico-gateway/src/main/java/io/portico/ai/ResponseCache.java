package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * An exact-match cache of whole chat completions. The key is a SHA-256 of the model, the messages
 * and every parameter that changes the answer, as canonical JSON (object members sorted, message
 * text trimmed), with the consumer unless the route shares answers across consumers; the stream
 * flags, {@code user}, {@code metadata} and {@code store} are left out. Only successful answers are
 * stored. A store that fails (Redis down, slow) makes the request bypass the cache, never fail.
 * Thread-safe: one instance serves every event loop.
 */
interface ResponseCache {

  /** {@code X-Portico-Cache}: whether the answer came from the cache. */
  String HEADER = "x-portico-cache";

  String HIT = "HIT";
  String MISS = "MISS";
  String BYPASS = "BYPASS";

  /** Request members that do not change the answer. */
  Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store");

  /**
   * The answer under {@code key}, null when absent; completes exceptionally when the store fails.
   */
  CompletableFuture<byte @Nullable []> get(String key);

  /** Stores {@code answer} under {@code key} for the cache's TTL, as far as the store can. */
  void put(String key, byte[] answer);

  /**
   * Whether the client asked not to be served from a cache ({@code no-cache} or {@code no-store}).
   */
  static boolean refusedBy(HttpHeaders headers) {
    for (String v : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
      String l = v.toLowerCase(Locale.ROOT);
      if (l.contains("no-cache") || l.contains("no-store")) {
        return true;
      }
    }
    String pragma = headers.get(HttpHeaderNames.PRAGMA);
    return pragma != null && pragma.toLowerCase(Locale.ROOT).contains("no-cache");
  }

  /** The key of {@code request}; {@code consumer} is null when answers are shared or unknown. */
  static String key(ObjectNode request, @Nullable String consumer) {
    StringBuilder b = new StringBuilder(256);
    b.append(consumer == null ? "*" : consumer.length() + ":" + consumer).append('\n');
    List<String> names = new ArrayList<>();
    request.fieldNames().forEachRemaining(names::add);
    names.sort(null);
    for (String name : names) {
      if (IGNORED.contains(name)) {
        continue;
      }
      b.append(name).append('=');
      canonical(request.get(name), name.equals("messages"), b);
      b.append('\n');
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static void canonical(JsonNode node, boolean trimText, StringBuilder b) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      b.append('{');
      for (String n : names) {
        b.append(Json.text(Json.MAPPER.getNodeFactory().textNode(n))).append(':');
        canonical(node.get(n), trimText, b);
        b.append(',');
      }
      b.append('}');
    } else if (node.isArray()) {
      b.append('[');
      Iterator<JsonNode> it = node.elements();
      while (it.hasNext()) {
        canonical(it.next(), trimText, b);
        b.append(',');
      }
      b.append(']');
    } else if (trimText && node.isTextual()) {
      b.append(Json.text(Json.MAPPER.getNodeFactory().textNode(node.asText().strip())));
    } else {
      b.append(Json.text(node));
    }
  }
}
