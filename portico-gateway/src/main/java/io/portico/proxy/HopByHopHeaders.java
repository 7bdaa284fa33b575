package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.portico.upstream.KeptHeaders;
import java.util.List;

/**
 * Removes the headers that describe one connection and must not be forwarded (RFC 9110 7.6.1):
 * {@code Connection} and every header it names, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code TE}, {@code Trailer}, {@code Upgrade}, {@code HTTP2-Settings} and {@code
 * Proxy-Authenticate}/{@code Proxy-Authorization} are never passed on. {@code Transfer-Encoding} is
 * framing: the codec on the other side re-frames the body, so it is kept only where that codec
 * needs it.
 *
 * <p>A request is stripped once, when its exchange starts and before any plugin runs, so that a
 * client's {@code Connection} cannot remove what a plugin or the gateway sets; a request whose
 * {@code Connection} names {@code Content-Length}, {@code Transfer-Encoding} or {@code Host} is
 * refused by {@link RequestChecks} before that. A response is stripped when its head arrives.
 */
final class HopByHopHeaders {

  private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

  /** The settings of an {@code Upgrade: h2c} (RFC 7540 3.2.1): for the hop that upgrades. */
  private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

  private HopByHopHeaders() {}

  /**
   * Removes, before any plugin runs, what the client sent for one hop (and the headers its {@code
   * Connection} names), so that nothing a plugin sets can be removed by the client's {@code
   * Connection}, and the identity headers only the gateway may set.
   */
  static void stripClientSupplied(
      HttpHeaders headers, boolean keepUpgrade, List<AsciiString> identityHeaders) {
    strip(headers, keepUpgrade);
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      headers.remove(identityHeaders.get(i));
    }
  }

  /**
   * Strips hop-by-hop headers. When {@code keepUpgrade} is set (a WebSocket upgrade being proxied),
   * {@code Upgrade} and {@code Connection: upgrade} survive.
   */
  static void strip(HttpHeaders headers, boolean keepUpgrade) {
    // One Connection field, the common case (an origin's "keep-alive"), is read as a string
    // without a list; several are read together first, since their tokens may name each other.
    if (headers instanceof KeptHeaders kept) {
      int fields = kept.count(HttpHeaderNames.CONNECTION);
      if (fields == 1) {
        removeListed(headers, headers.get(HttpHeaderNames.CONNECTION), keepUpgrade);
        headers.remove(HttpHeaderNames.CONNECTION);
      } else if (fields > 1) {
        removeAllListed(headers, keepUpgrade);
      }
    } else if (headers.contains(HttpHeaderNames.CONNECTION)) {
      removeAllListed(headers, keepUpgrade);
    }
    headers.remove(KEEP_ALIVE);
    headers.remove(PROXY_CONNECTION);
    headers.remove(HttpHeaderNames.TE);
    headers.remove(HttpHeaderNames.TRAILER);
    headers.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
    headers.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    headers.remove(HTTP2_SETTINGS);
    if (keepUpgrade) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
    } else {
      headers.remove(HttpHeaderNames.UPGRADE);
    }
  }

  /** A Connection token that names a framing header must not make us drop the framing. */
  private static boolean isFraming(String name) {
    return name.equalsIgnoreCase("content-length")
        || name.equalsIgnoreCase("transfer-encoding")
        || name.equalsIgnoreCase("host");
  }

  private static void removeAllListed(HttpHeaders headers, boolean keepUpgrade) {
    for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
      removeListed(headers, value, keepUpgrade);
    }
    headers.remove(HttpHeaderNames.CONNECTION);
  }

  /** Removes the fields a {@code Connection} value names, but the framing and kept ones. */
  private static void removeListed(HttpHeaders headers, String value, boolean keepUpgrade) {
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      String name = value.substring(start, end).trim();
      // Keep-Alive, the usual token, is removed below in any case.
      if (!name.isEmpty()
          && !(keepUpgrade && name.equalsIgnoreCase("upgrade"))
          && !isFraming(name)
          && !KEEP_ALIVE.contentEqualsIgnoreCase(name)) {
        headers.remove(name);
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
  }
}
