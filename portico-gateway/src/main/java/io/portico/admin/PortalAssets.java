package io.portico.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The developer portal's static files ({@code /portal}), read once from the jar's {@code
 * io/portico/portal/} resources (the API client, the DOM helpers and the base style sheet from the
 * console's, {@link #SHARED}, so both speak to the admin API, render values and look the same), and
 * the OpenAPI viewer under {@code /portal/viewer/}: Swagger UI's bundle and style sheet from its
 * WebJar, read and gzipped on first use and sent compressed to clients that accept gzip. Every page
 * path that is not a file answers {@code index.html}; {@code /portal/api/} is the portal's API
 * ({@link PortalEndpoints}), not a page.
 *
 * <p>The portal's Content-Security-Policy is the console's ({@link ConsoleAssets#CSP}) with two
 * additions the viewer needs, and nothing else: {@code img-src data:} (Swagger UI's style sheet
 * draws its icons as {@code data:} SVG images) and the gateway's public origin in {@code
 * connect-src} (the try-it panel calls the API there). Scripts stay {@code 'self'} only: no inline
 * script and no {@code eval}; the viewer is started by the portal's own module ({@code viewer.js}).
 */
final class PortalAssets {

  private record Asset(byte[] bytes, byte @Nullable [] gzipped, String type) {}

  private static final String[] FILES = {
    "index.html",
    "portal.css",
    "portal.js",
    "plans.js",
    "viewer.js",
    "api.js",
    "dom.js",
    "console.css"
  };

  /** The files served from the console's resources: one base style sheet, one API client. */
  private static final Set<String> SHARED = Set.of("api.js", "dom.js", "console.css");

  /** The viewer's files, served under {@code /portal/viewer/}, from the Swagger UI WebJar. */
  private static final String[] VIEWER = {"swagger-ui-bundle.js", "swagger-ui.css"};

  private static final Map<String, Asset> ASSETS = load();
  private static final Asset INDEX = java.util.Objects.requireNonNull(ASSETS.get("index.html"));

  /** The viewer's files, loaded at first use (about 2 MB before compression). */
  private static final class Viewer {
    static final Map<String, Asset> FILES = loadViewer();
  }

  private PortalAssets() {}

  static boolean handles(String path) {
    return (path.equals("/portal") || path.startsWith("/portal/"))
        && !PortalEndpoints.handles(path);
  }

  /**
   * The file at {@code path}.
   *
   * @param acceptEncoding the request's {@code Accept-Encoding}, or null
   * @param gatewayUrl the gateway's public URL, whose origin the try-it panel may call
   */
  static FullHttpResponse serve(
      String path,
      HttpMethod method,
      @Nullable String acceptEncoding,
      @Nullable String gatewayUrl) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      return secured(AdminHandler.methodNotAllowed("GET"), gatewayUrl);
    }
    String file = path.startsWith("/portal/") ? path.substring("/portal/".length()) : "";
    Asset asset =
        file.startsWith("viewer/")
            ? Viewer.FILES.get(file.substring("viewer/".length()))
            : ASSETS.get(file);
    if (asset == null) {
      if (file.contains(".")) {
        return secured(
            AdminHandler.problem(
                HttpResponseStatus.NOT_FOUND, "admin-not-found", "No portal file " + file + "."),
            gatewayUrl);
      }
      asset = INDEX;
    }
    boolean gzip =
        asset.gzipped() != null
            && acceptEncoding != null
            && acceptEncoding.toLowerCase(java.util.Locale.ROOT).contains("gzip");
    byte[] body = gzip ? asset.gzipped() : asset.bytes();
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            method == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.type());
    // the viewer's files change only with the jar: a browser keeps them for a day
    r.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, asset.gzipped() != null ? "max-age=86400" : "no-cache");
    if (asset.gzipped() != null) {
      r.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
    }
    if (gzip) {
      r.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    }
    return secured(r, gatewayUrl);
  }

  /** The console's security headers, with the portal's policy. */
  static FullHttpResponse secured(FullHttpResponse r, @Nullable String gatewayUrl) {
    ConsoleAssets.secured(r);
    r.headers().set("Content-Security-Policy", csp(gatewayUrl));
    return r;
  }

  /** The portal's Content-Security-Policy: the console's, plus what the viewer needs. */
  static String csp(@Nullable String gatewayUrl) {
    String origin = origin(gatewayUrl);
    return ConsoleAssets.CSP
        .replace("img-src 'self'", "img-src 'self' data:")
        .replace("connect-src 'self'", "connect-src 'self'" + (origin == null ? "" : " " + origin));
  }

  /** The scheme, host and port of {@code url}, or null when it has none. */
  private static @Nullable String origin(@Nullable String url) {
    if (url == null) {
      return null;
    }
    try {
      URI u = URI.create(url);
      if (u.getScheme() == null || u.getRawAuthority() == null) {
        return null;
      }
      String o = u.getScheme() + "://" + u.getRawAuthority();
      return o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+") ? o : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Map<String, Asset> load() {
    Map<String, Asset> out = new TreeMap<>();
    for (String name : FILES) {
      String dir = SHARED.contains(name) ? "/io/portico/console/" : "/io/portico/portal/";
      out.put(name, new Asset(read(dir + name), null, type(name)));
    }
    return Map.copyOf(out);
  }

  private static Map<String, Asset> loadViewer() {
    Properties p = new Properties();
    try (InputStream in =
        PortalAssets.class.getResourceAsStream(
            "/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the Swagger UI WebJar is missing from the jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String dir = "/META-INF/resources/webjars/swagger-ui/" + p.getProperty("version") + "/";
    Map<String, Asset> out = new TreeMap<>();
    for (String name : VIEWER) {
      byte[] bytes = read(dir + name);
      out.put(name, new Asset(bytes, gzip(bytes), type(name)));
    }
    return Map.copyOf(out);
  }

  private static byte[] read(String resource) {
    try (InputStream in = PortalAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("portal asset missing from the jar: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String type(String name) {
    return name.endsWith(".html")
        ? "text/html; charset=utf-8"
        : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
  }
}
