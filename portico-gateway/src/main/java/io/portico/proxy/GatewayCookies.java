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
 * <p>The other way, an upstream's {@code Set-Cookie} for it is dropped ({@link #stripSetCookie}).
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

  /**
   * Removes every {@code Set-Cookie} field of an upstream's response head that sets {@value
   * #SESSION}. An upstream served on the same host name as the admin listener could otherwise plant
   * a session of its choosing in the browser (session fixation: an operator or developer then works
   * in the attacker's account) or overwrite the operator's. Allocates only when a {@code
   * Set-Cookie} field is present.
   */
  static void stripSetCookie(HttpHeaders h) {
    if (!h.contains(HttpHeaderNames.SET_COOKIE)) {
      return;
    }
    List<String> fields = h.getAll(HttpHeaderNames.SET_COOKIE);
    boolean found = false;
    for (int i = 0; i < fields.size() && !found; i++) {
      found = setsSession(fields.get(i));
    }
    if (!found) {
      return;
    }
    h.remove(HttpHeaderNames.SET_COOKIE);
    for (String field : fields) {
      if (!setsSession(field)) {
        h.add(HttpHeaderNames.SET_COOKIE, field);
      }
    }
  }

  /**
   * Whether a {@code Set-Cookie} value names {@value #SESSION} (blanks around the name ignored).
   */
  static boolean setsSession(String field) {
    int i = 0;
    while (i < field.length() && (field.charAt(i) == ' ' || field.charAt(i) == '\t')) {
      i++;
    }
    if (!field.startsWith(SESSION, i)) {
      return false;
    }
    int j = i + SESSION.length();
    while (j < field.length() && (field.charAt(j) == ' ' || field.charAt(j) == '\t')) {
      j++;
    }
    return j < field.length() && field.charAt(j) == '=';
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
