package io.portico.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The web console's static files ({@code /console}), read once from the jar's {@code
 * io/portico/console/} resources: plain HTML, CSS and JavaScript modules, no build step. Every page
 * path under {@code /console} that is not a file answers the single page ({@code index.html}),
 * which routes in the browser.
 *
 * <p>Every answer carries the console's security headers: a Content-Security-Policy that allows
 * scripts, styles and connections from the listener's own origin only (no inline script, no {@code
 * eval}) and {@code frame-ancestors 'none'}; {@code X-Content-Type-Options: nosniff}; {@code
 * Referrer-Policy: no-referrer}; {@code X-Frame-Options: DENY}.
 */
final class ConsoleAssets {

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
          + " 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors"
          + " 'none'";

  private record Asset(byte[] bytes, String type) {}

  private static final Map<String, Asset> ASSETS = load();
  private static final Asset INDEX = java.util.Objects.requireNonNull(ASSETS.get("index.html"));

  private ConsoleAssets() {}

  static boolean handles(String path) {
    return path.equals("/console") || path.startsWith("/console/");
  }

  static FullHttpResponse serve(String path, HttpMethod method) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      return secured(AdminHandler.methodNotAllowed("GET"));
    }
    String file = path.startsWith("/console/") ? path.substring("/console/".length()) : "";
    Asset asset = ASSETS.get(file);
    if (asset == null) {
      if (file.contains(".")) {
        return secured(
            AdminHandler.problem(
                HttpResponseStatus.NOT_FOUND, "admin-not-found", "No console file " + file + "."));
      }
      asset = INDEX;
    }
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            method == HttpMethod.HEAD
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(asset.bytes()));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.type());
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    return secured(r);
  }

  /** Adds the console's security headers. */
  static FullHttpResponse secured(FullHttpResponse r) {
    HttpHeaders h = r.headers();
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    return r;
  }

  private static Map<String, Asset> load() {
    Map<String, Asset> out = new TreeMap<>();
    for (String name :
        new String[] {
          "index.html",
          "console.css",
          "app.js",
          "api.js",
          "dom.js",
          "overview.js",
          "accounts.js",
          "me.js",
          "metrics.js",
          "alerts.js",
          "audit.js",
          "objects.js",
          "services.js",
          "routes.js",
          "pluginform.js",
          "globalplugins.js",
          "history.js",
          "consumers.js",
          "logs.js",
          "ai.js"
        }) {
      try (InputStream in =
          ConsoleAssets.class.getResourceAsStream("/io/portico/console/" + name)) {
        if (in == null) {
          throw new IllegalStateException("console asset missing from the jar: " + name);
        }
        out.put(name, new Asset(in.readAllBytes(), type(name)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Map.copyOf(out);
  }

  private static String type(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    return "text/javascript; charset=utf-8";
  }
}
