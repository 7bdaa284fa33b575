package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Whether an upstream's {@code 101 Switching Protocols} accepts the upgrade the client asked for,
 * before the gateway turns the connection into a tunnel. The {@code 101} must name in {@code
 * Upgrade} only protocols the request offered (RFC 9110 7.8), and a WebSocket {@code 101} must
 * carry the {@code Sec-WebSocket-Accept} that answers the request's {@code Sec-WebSocket-Key} (RFC
 * 6455 4.1). An upstream that sends a bare {@code 101} (an endpoint that echoes a status code, such
 * as {@code /status/101}) has not switched: it still reads HTTP, and a tunnel to it would carry the
 * client's next requests past the routes and their plugins.
 *
 * <p>Stateless; runs only for a {@code 101}.
 */
final class UpgradeAnswer {

  private static final String WEBSOCKET = "websocket";
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private UpgradeAnswer() {}

  static boolean accepts(HttpRequest request, HttpResponse response) {
    HttpHeaders answer = response.headers();
    String switched = answer.get(HttpHeaderNames.UPGRADE);
    if (switched == null || switched.isBlank()) {
      return false;
    }
    boolean websocket = false;
    for (String token : switched.split(",")) {
      String protocol = token.trim();
      if (protocol.isEmpty() || !offered(request.headers(), protocol)) {
        return false;
      }
      websocket |= name(protocol).equalsIgnoreCase(WEBSOCKET);
    }
    if (!websocket) {
      return true;
    }
    String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    String accept = answer.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    return key != null && accept != null && accept.trim().equals(acceptFor(key.trim()));
  }

  /** Whether the request's {@code Upgrade} fields offer {@code protocol} (without letter case). */
  private static boolean offered(HttpHeaders request, String protocol) {
    for (String value : request.getAll(HttpHeaderNames.UPGRADE)) {
      for (String token : value.split(",")) {
        if (token.trim().equalsIgnoreCase(protocol)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The protocol's name without its version ({@code websocket} of {@code websocket/13}). */
  private static String name(String protocol) {
    int slash = protocol.indexOf('/');
    return slash < 0 ? protocol : protocol.substring(0, slash).trim();
  }

  /** The {@code Sec-WebSocket-Accept} that answers {@code key}. */
  static String acceptFor(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
