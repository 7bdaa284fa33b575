package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Removes the gateway's own session cookie from a request head before it goes upstream. The admin
 * listener's console and portal sign-in set {@value #SESSION} for their host with {@code Path=/};
 * cookies are not scoped by port, so a browser that signed in to the admin listener sends it with
 * every request to a gateway listener on the same host name, and each upstream would receive a
 * session with which to call the admin API. The {@code openid-connect} plugin's session cookie has
 * the same default name and is read by the plugin, before this runs; an upstream has no use for it
 * either. Every other cookie is forwarded as the client wrote it.
 *
 * <p>Stateless; allocates only when a {@code Cookie} field holds the session cookie.
 */
final class GatewayCookies {

  /** The admin listener's session cookie ({@code AdminAuth.COOKIE}). */
  static final String SESSION = "portico_session";

  private GatewayCookies() {}

  /** Removes {@value #SESSION} from every {@code Cookie} field of {@code h}. */
  static void strip(HttpHeaders h) {
    if (!h.contains(HttpHeaderNames.COOKIE)) {
      return;
    }
    List<String> fields = h.getAll(HttpHeaderNames.COOKIE);
    boolean found = false;
    for (int i = 0; i < fields.size() && !found; i++) {
      found = fields.get(i).contains(SESSION);
    }
    if (!found) {
      return;
    }
    h.remove(HttpHeaderNames.COOKIE);
    for (String field : fields) {
      String kept = without(field);
      if (!kept.isEmpty()) {
        h.add(HttpHeaderNames.COOKIE, kept);
      }
    }
  }

  /** {@code field} without its {@value #SESSION} pairs, the others and their order kept. */
  static String without(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (String pair : field.split(";")) {
      String p = pair.strip();
      int eq = p.indexOf('=');
      String name = (eq < 0 ? p : p.substring(0, eq)).strip();
      if (p.isEmpty() || name.equals(SESSION)) {
        continue;
      }
      if (out.length() > 0) {
        out.append("; ");
      }
      out.append(p);
    }
    return out.toString();
  }
}
