package io.portico.plugins.compression;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@code compression} instance: in RESPONSE_BODY, decides whether this response is compressed (a
 * compressible type, large enough or of unknown length, not encoded already, not a range, not
 * {@code no-transform}), adds {@code Vary: Accept-Encoding}, picks the coding from the client's
 * {@code Accept-Encoding} ({@link AcceptEncoding}) and returns a streaming transform whose {@link
 * CompressingStream} sync-flushes every chunk, so every server-sent event reaches the client
 * decodable at once. Responses without a body never reach this phase.
 *
 * <p>Immutable; runs on the exchange's event loop.
 */
final class CompressionPlugin implements Plugin {

  private final CompressionFactory.Config config;

  CompressionPlugin(CompressionFactory.Config config) {
    this.config = config;
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.RESPONSE_BODY);
  }

  @Override
  public @Nullable BodyTransform responseBody(Exchange exchange) {
    HttpResponse response = exchange.response();
    if (response == null) {
      return null;
    }
    HttpHeaders h = response.headers();
    String coding = h.get(HttpHeaderNames.CONTENT_ENCODING);
    if ((coding != null && !coding.equalsIgnoreCase("identity"))
        || response.status().code() == 206
        || h.contains(HttpHeaderNames.CONTENT_RANGE)
        || !compressible(h.get(HttpHeaderNames.CONTENT_TYPE))) {
      return null;
    }
    String cacheControl = h.get(HttpHeaderNames.CACHE_CONTROL);
    if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-transform")) {
      return null;
    }
    if (HttpUtil.getContentLength(response, Long.MAX_VALUE) < config.minSize()) {
      return null;
    }
    addVary(h);
    String chosen =
        AcceptEncoding.choose(
            exchange.request().headers().get(HttpHeaderNames.ACCEPT_ENCODING), config.encodings());
    if (chosen == null) {
      return null;
    }
    h.remove(HttpHeaderNames.CONTENT_ENCODING);
    h.set(HttpHeaderNames.CONTENT_ENCODING, chosen);
    CompressingStream stream = new CompressingStream(chosen.equals("gzip"), config.level());
    return BodyTransform.chunks(stream::compress, stream::finish).closingWith(stream::close);
  }

  private static void addVary(HttpHeaders h) {
    for (String vary : h.getAll(HttpHeaderNames.VARY)) {
      for (String name : vary.split(",")) {
        String n = name.trim();
        if (n.equals("*") || n.equalsIgnoreCase("accept-encoding")) {
          return;
        }
      }
    }
    h.add(HttpHeaderNames.VARY, "Accept-Encoding");
  }

  private boolean compressible(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    for (String t : config.contentTypes()) {
      if (t.startsWith("+")
          ? type.endsWith(t)
          : t.endsWith("/*") ? type.startsWith(t.substring(0, t.length() - 1)) : type.equals(t)) {
        return true;
      }
    }
    return false;
  }
}
