package io.portico.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * Refuses a console sign-in (or first-run setup) that a browser on another host sends over plain
 * HTTP: the password would cross the network in clear text, and the session cookie after it. The
 * admin listener speaks plain HTTP only, so the answer says the two ways to reach it safely from
 * elsewhere: an SSH tunnel to its loopback address, or a TLS-terminating proxy in front of it.
 *
 * <p>The browser tells: its {@code Origin} on the sign-in request is {@code http://...}. A request
 * from a loopback address, one without {@code Origin} (a script, which should use an API token
 * anyway) and one a proxy marks {@code X-Forwarded-Proto: https} are let through. Runs on the admin
 * handler's blocking executor, before the password is read.
 */
final class PlainHttpSignIn {

  private PlainHttpSignIn() {}

  /** The refusal for a sign-in over plain HTTP from another host, or null to go on. */
  static @Nullable FullHttpResponse refusal(FullHttpRequest req, String clientAddress) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin == null || !origin.regionMatches(true, 0, "http://", 0, 7)) {
      return null;
    }
    if ("https".equalsIgnoreCase(forwardedProto(req))) {
      return null;
    }
    if (loopback(clientAddress)) {
      return null;
    }
    return AdminHandler.problem(
        HttpResponseStatus.FORBIDDEN,
        "console-plain-http",
        "Signing in from another host over plain HTTP would send the password in clear text."
            + " Reach the console through an SSH tunnel (ssh -L 9901:127.0.0.1:9901 <gateway host>,"
            + " then open http://127.0.0.1:9901/console/), or through a TLS-terminating proxy that"
            + " sets X-Forwarded-Proto: https (and set admin.console.secure-cookie: true).");
  }

  private static @Nullable String forwardedProto(FullHttpRequest req) {
    String proto = req.headers().get("X-Forwarded-Proto");
    if (proto == null) {
      return null;
    }
    int comma = proto.indexOf(',');
    return (comma < 0 ? proto : proto.substring(0, comma)).trim();
  }

  /** A literal address (the admin handler passes the peer's IP) that is loopback, or unknown. */
  private static boolean loopback(String address) {
    if (address.equals("unknown")) {
      return true; // no socket peer: an in-memory channel
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return true;
    }
  }
}
