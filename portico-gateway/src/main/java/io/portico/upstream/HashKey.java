package io.portico.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.portico.config.BalancerConfig;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * What a consistent-hash balancer hashes for a request: a header, a cookie, the client's address,
 * the authenticated consumer or a path parameter. A request that lacks it gets a random hash, so it
 * is spread like any other rather than all such requests landing on one endpoint.
 *
 * <p>Immutable; {@link #hash} runs on the exchange's event loop once per request.
 */
public record HashKey(BalancerConfig.HashOn on, @Nullable String name) {

  /**
   * The request's 64-bit hash.
   *
   * @param client the client's address as the forwarding policy established it
   * @param consumer the authenticated consumer's name, or null
   * @param pathParameters the route's path parameters
   */
  public long hash(
      HttpHeaders headers,
      @Nullable InetSocketAddress client,
      @Nullable String consumer,
      Map<String, String> pathParameters) {
    String value =
        switch (on) {
          case HEADER -> name == null ? null : headers.get(name);
          case COOKIE -> cookie(headers);
          case CLIENT_IP -> client == null ? null : client.getAddress().getHostAddress();
          case CONSUMER -> consumer;
          case PATH_PARAMETER -> name == null ? null : pathParameters.get(name);
        };
    return value == null ? ThreadLocalRandom.current().nextLong() : hash(value);
  }

  private @Nullable String cookie(HttpHeaders headers) {
    for (String field : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(field)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return null;
  }

  /** A well-mixed 64-bit hash of {@code text} (FNV-1a, then a murmur3 finalizer). */
  public static long hash(CharSequence text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
