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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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

  /** The JSON edits of the rules that matched, in order, decided in the RESPONSE phase. */
  private static final ExchangeKey<List<ResponseTransformerJson>> REWRITES =
      ExchangeKey.of("response-transformer.rewrites");

  private final ResponseTransformerFactory.Config config;

  ResponseTransformerPlugin(ResponseTransformerFactory.Config config) {
    this.config = config;
  }

  @Override
  public Set<Phase> phases() {
    return !config.rewritesBodies()
        ? Set.of(Phase.RESPONSE)
        : Set.of(Phase.RESPONSE, Phase.RESPONSE_BODY);
  }

  /**
   * Applies each rule in order: its status map, then, when its {@code when} matches the upstream's
   * status and content type (as the upstream sent them, whatever earlier rules changed), its header
   * edits; the JSON edits of the rules that matched are kept for the body.
   */
  @Override
  public void response(Exchange exchange) {
    HttpResponse response = exchange.response();
    if (response == null) {
      return;
    }
    int upstream = response.status().code();
    HttpHeaders headers = response.headers();
    String type = mediaType(headers.get(HttpHeaderNames.CONTENT_TYPE));
    List<ResponseTransformerJson> rewrites = null;
    for (ResponseTransformerFactory.Rule rule : config.rules()) {
      Integer mapped = rule.statusMap().get(upstream);
      if (mapped != null) {
        response.setStatus(HttpResponseStatus.valueOf(mapped));
      }
      if (!rule.statuses().isEmpty() && !rule.statuses().contains(upstream)) {
        continue;
      }
      boolean typeMatches = matches(rule.contentTypes(), type);
      if (rule.typesGiven() && !typeMatches) {
        continue;
      }
      for (Map.Entry<AsciiString, AsciiString> e : rule.rename().entrySet()) {
        List<String> values = headers.getAll(e.getKey());
        if (!values.isEmpty()) {
          headers.remove(e.getKey());
          headers.set(e.getValue(), values);
        }
      }
      if (rule.headers() != null) {
        rule.headers().apply(headers, exchange);
      }
      if (rule.json() != null && typeMatches) {
        if (rewrites == null) {
          rewrites = new ArrayList<>(2);
        }
        rewrites.add(rule.json());
      }
    }
    if (rewrites != null) {
      exchange.set(REWRITES, rewrites);
    }
  }

  @Override
  public @Nullable BodyTransform responseBody(Exchange exchange) {
    List<ResponseTransformerJson> rewrites = exchange.get(REWRITES);
    HttpResponse response = exchange.response();
    if (rewrites == null || response == null || !decodable(response.headers())) {
      return null;
    }
    BodyTransform t =
        BodyTransform.whole(
            config.maxBodySize(), (input, alloc) -> rewrite(rewrites, input, alloc));
    return config.passTooLarge() ? t.passingWhenTooLarge() : t;
  }

  /**
   * The step: the document through each matching rule's edits in turn, into a new buffer; or the
   * input itself when it is malformed and malformed bodies pass.
   */
  ByteBuf rewrite(List<ResponseTransformerJson> rewrites, ByteBuf input, ByteBufAllocator alloc) {
    ByteBuf current = input;
    for (ResponseTransformerJson json : rewrites) {
      ByteBuf out = alloc.buffer(current.readableBytes());
      try {
        json.rewrite(new ByteBufInputStream(current.duplicate()), new ByteBufOutputStream(out));
      } catch (JsonProcessingException e) {
        out.release();
        releaseIntermediate(current, input);
        if (config.passMalformed()) {
          return input;
        }
        throw new BodyTransform.InvalidBody(
            "The upstream's JSON body is malformed at offset "
                + e.getLocation().getByteOffset()
                + ".");
      } catch (IOException e) {
        out.release();
        releaseIntermediate(current, input);
        throw new UncheckedIOException(e);
      } catch (RuntimeException | Error e) {
        out.release();
        releaseIntermediate(current, input);
        throw e;
      }
      releaseIntermediate(current, input);
      current = out;
    }
    return current;
  }

  /** The step with the JSON edits of every rule, as when all of them match (for benchmarks). */
  ByteBuf rewrite(ByteBuf input, ByteBufAllocator alloc) {
    List<ResponseTransformerJson> all = new ArrayList<>();
    for (ResponseTransformerFactory.Rule rule : config.rules()) {
      if (rule.json() != null) {
        all.add(rule.json());
      }
    }
    return rewrite(all, input, alloc);
  }

  private static void releaseIntermediate(ByteBuf current, ByteBuf input) {
    if (current != input) {
      current.release();
    }
  }

  private static @Nullable String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static boolean matches(List<String> accepted, @Nullable String type) {
    if (type == null) {
      return false;
    }
    for (String a : accepted) {
      if (a.startsWith("+") ? type.endsWith(a) : type.equals(a)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the gateway gives transforms this body's content (identity, gzip or deflate). */
  private static boolean decodable(HttpHeaders headers) {
    if (headers.getAll(HttpHeaderNames.CONTENT_ENCODING).size() > 1) {
      return false; // a chain of codings, one per header line
    }
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
