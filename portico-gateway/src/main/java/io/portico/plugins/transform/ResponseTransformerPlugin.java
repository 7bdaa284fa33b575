package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code response-transformer} instance. RESPONSE phase: decides from the upstream's status and
 * content type whether the edits apply, maps the status and edits the headers. RESPONSE_BODY: for a
 * JSON body it rewrites, returns a whole-body {@link BodyTransform} (capped by {@code
 * max-body-size}) whose step streams the document through {@link ResponseTransformerJson}. A body
 * in a coding the gateway cannot inflate is left alone.
 *
 * <p>Immutable; runs on the exchange's event loop.
 */
final class ResponseTransformerPlugin implements Plugin {

  /** Whether this exchange's body is to be rewritten, decided in the RESPONSE phase. */
  private static final ExchangeKey<Boolean> REWRITE_BODY =
      ExchangeKey.of("response-transformer.rewrite-body");

  private final ResponseTransformerFactory.Config config;

  ResponseTransformerPlugin(ResponseTransformerFactory.Config config) {
    this.config = config;
  }

  @Override
  public Set<Phase> phases() {
    return config.json() == null
        ? Set.of(Phase.RESPONSE)
        : Set.of(Phase.RESPONSE, Phase.RESPONSE_BODY);
  }

  @Override
  public void response(Exchange exchange) {
    HttpResponse response = exchange.response();
    int upstream = response.status().code();
    boolean applies = config.statuses().isEmpty() || config.statuses().contains(upstream);
    Integer mapped = config.statusMap().get(upstream);
    if (mapped != null) {
      response.setStatus(HttpResponseStatus.valueOf(mapped));
    }
    if (!applies) {
      return;
    }
    HttpHeaders headers = response.headers();
    for (Map.Entry<AsciiString, AsciiString> e : config.rename().entrySet()) {
      List<String> values = headers.getAll(e.getKey());
      if (!values.isEmpty()) {
        headers.remove(e.getKey());
        headers.set(e.getValue(), values);
      }
    }
    if (config.headers() != null) {
      config.headers().apply(headers, exchange);
    }
    if (config.json() != null && isJson(headers.get(HttpHeaderNames.CONTENT_TYPE))) {
      exchange.set(REWRITE_BODY, Boolean.TRUE);
    }
  }

  @Override
  public BodyTransform responseBody(Exchange exchange) {
    if (exchange.get(REWRITE_BODY) == null || !decodable(exchange.response().headers())) {
      return null;
    }
    BodyTransform t = BodyTransform.whole(config.maxBodySize(), this::rewrite);
    return config.passTooLarge() ? t.passingWhenTooLarge() : t;
  }

  /** The step: the document rewritten into a new buffer, or the input itself when passing. */
  ByteBuf rewrite(ByteBuf input, ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(input.readableBytes());
    try {
      config
          .json()
          .rewrite(new ByteBufInputStream(input.duplicate()), new ByteBufOutputStream(out));
      return out;
    } catch (JsonProcessingException e) {
      out.release();
      if (config.passMalformed()) {
        return input;
      }
      throw new BodyTransform.InvalidBody(
          "The upstream's JSON body is malformed at offset "
              + e.getLocation().getByteOffset()
              + ".");
    } catch (IOException e) {
      out.release();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      out.release();
      throw e;
    }
  }

  private boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    for (String accepted : config.contentTypes()) {
      if (accepted.startsWith("+") ? type.endsWith(accepted) : type.equals(accepted)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the gateway gives transforms this body's content (identity, gzip or deflate). */
  private static boolean decodable(HttpHeaders headers) {
    String coding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    if (coding == null) {
      return true;
    }
    return switch (coding.trim().toLowerCase(Locale.ROOT)) {
      case "identity", "gzip", "x-gzip", "deflate" -> true;
      default -> false;
    };
  }
}
