package io.portico.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The developer portal's static files ({@code /portal}), read once from the jar's {@code
 * io/portico/portal/} resources (the API client and the DOM helpers from the console's, {@link
 * #SHARED}, so both speak to the admin API and render values the same way), with the console's
 * security headers ({@link ConsoleAssets#secured}). Every page path that is not a file answers
 * {@code index.html}; {@code /portal/api/} is the portal's API ({@link PortalEndpoints}), not a
 * page.
 */
final class PortalAssets {

  private record Asset(byte[] bytes, String type) {}

  private static final String[] FILES = {
    "index.html", "portal.css", "portal.js", "api.js", "dom.js"
  };

  /** The files served from the console's resources. */
  private static final java.util.Set<String> SHARED = java.util.Set.of("api.js", "dom.js");

  private static final Map<String, Asset> ASSETS = load();
  private static final Asset INDEX = java.util.Objects.requireNonNull(ASSETS.get("index.html"));

  private PortalAssets() {}

  static boolean handles(String path) {
    return (path.equals("/portal") || path.startsWith("/portal/"))
        && !PortalEndpoints.handles(path);
  }

  static FullHttpResponse serve(String path, HttpMethod method) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      return ConsoleAssets.secured(AdminHandler.methodNotAllowed("GET"));
    }
    String file = path.startsWith("/portal/") ? path.substring("/portal/".length()) : "";
    Asset asset = ASSETS.get(file);
    if (asset == null) {
      if (file.contains(".")) {
        return ConsoleAssets.secured(
            AdminHandler.problem(
                HttpResponseStatus.NOT_FOUND, "admin-not-found", "No portal file " + file + "."));
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
    return ConsoleAssets.secured(r);
  }

  private static Map<String, Asset> load() {
    Map<String, Asset> out = new TreeMap<>();
    for (String name : FILES) {
      String dir = SHARED.contains(name) ? "/io/portico/console/" : "/io/portico/portal/";
      try (InputStream in = PortalAssets.class.getResourceAsStream(dir + name)) {
        if (in == null) {
          throw new IllegalStateException("portal asset missing from the jar: " + name);
        }
        String type =
            name.endsWith(".html")
                ? "text/html; charset=utf-8"
                : name.endsWith(".css")
                    ? "text/css; charset=utf-8"
                    : "text/javascript; charset=utf-8";
        out.put(name, new Asset(in.readAllBytes(), type));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Map.copyOf(out);
  }
}
