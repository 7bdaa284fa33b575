package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.plugins.transform.RequestTransformerBody.Format;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import io.portico.template.Encodings;
import io.portico.template.Template;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The request-transformer instance. In ACCESS, for each exchange:
 *
 * <pre>
 *   body needed (edits, or a template reads ${body}) and its type is JSON or a form?
 *     yes: Exchange.requestBody(max-size) ─▶ (on the event loop) parse ─▶ 400 when malformed
 *     no:  body = none, the body streams untouched
 *   render every value (path, query, headers, body) from the request as it is now
 *     ─▶ 400 when a value does not convert to its type or cannot be written into the body
 *   apply: method, path and query, headers, body (Exchange.replaceRequestBody: the gateway sets
 *   Content-Length; Content-Type follows a conversion)
 * </pre>
 *
 * <p>A body over {@code max-size} (or the gateway's limit) is answered 413 by the gateway; a client
 * that leaves mid-body ends the exchange and the stage is ignored. The body the gateway lends is a
 * read-only view, parsed in place and never kept; the new body is a buffer the gateway owns from
 * {@code replaceRequestBody} on, released here only if serialising it fails. Immutable and shared
 * by every exchange of its snapshot.
 */
final class RequestTransformerPlugin implements Plugin {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private final RequestTransformerConfig config;

  RequestTransformerPlugin(RequestTransformerConfig config) {
    this.config = config;
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.ACCESS);
  }

  @Override
  public Outcome access(Exchange exchange) {
    Format format = config.readsBody() ? Format.of(exchange.request().headers()) : null;
    if (format == null) {
      return transform(exchange, null, null);
    }
    return Outcome.await(
        exchange
            .requestBody(config.body().maxSize())
            .thenApply(body -> read(exchange, body, format)));
  }

  /** Parses the client's body, then transforms; 400 when it is not what its type says. */
  private Outcome read(Exchange exchange, ByteBuf body, Format format) {
    JsonNode tree;
    if (format == Format.FORM) {
      tree = RequestTransformerForms.toJson(body.toString(StandardCharsets.UTF_8));
    } else if (!body.isReadable()) {
      tree = NODES.objectNode();
    } else {
      try {
        tree = JSON.readTree(new ByteBufInputStream(body));
      } catch (JsonProcessingException e) {
        return MalformedJson.reply(e);
      } catch (IOException e) {
        throw new UncheckedIOException("reading a body held in memory", e);
      }
    }
    return transform(exchange, tree, format);
  }

  private Outcome transform(Exchange exchange, @Nullable JsonNode body, @Nullable Format format) {
    HttpRequest request = exchange.request();
    Template pathTemplate = config.path();
    String path = null;
    if (pathTemplate != null) {
      path = pathTemplate.renderString(exchange, body);
      if (!pathTemplate.isConstant() && Encodings.hasDotSegment(path)) {
        // a value such as ?name=.. renders as a dot segment: the upstream would resolve it to
        // another resource than the template names
        return Reply.problem(
            HttpResponseStatus.BAD_REQUEST,
            "request-transformation-failed",
            "Bad Request",
            "The request's path cannot be rendered: a value makes a dot segment (. or ..).");
      }
    }
    String[] queryValues = config.query().render(exchange, body);
    String[] headerValues = config.headers().render(exchange, body);
    Format out = format;
    ByteBuf newBody = null;
    if (body != null && format != null && config.body().edits()) {
      out = config.body().convert() == null ? format : config.body().convert();
      try {
        newBody = newBody(exchange, body, out);
      } catch (RequestTransformerValue.Unconvertible | RequestTransformerPointers.Unwritable e) {
        return Reply.problem(
            HttpResponseStatus.BAD_REQUEST,
            "request-transformation-failed",
            "Bad Request",
            "The request body cannot be transformed: " + e.getMessage() + ".");
      }
    }

    if (config.method() != null) {
      request.setMethod(config.method());
    }
    if (path != null || !config.query().isEmpty()) {
      String forward = exchange.forwardPath();
      int q = forward.indexOf('?');
      String rawQuery = q < 0 ? null : forward.substring(q + 1);
      String query =
          config.query().isEmpty() ? rawQuery : config.query().apply(rawQuery, queryValues);
      String newPath = path != null ? path : q < 0 ? forward : forward.substring(0, q);
      exchange.forwardPath(query == null || query.isEmpty() ? newPath : newPath + "?" + query);
    }
    config.headers().apply(request.headers(), headerValues);
    if (newBody != null) {
      if (out != format && out != null) {
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, out.contentType);
      }
      exchange.replaceRequestBody(newBody);
    }
    return Outcome.proceed();
  }

  /** The body to send, in a buffer the caller hands to the gateway. */
  private ByteBuf newBody(Exchange exchange, JsonNode body, Format out)
      throws RequestTransformerValue.Unconvertible, RequestTransformerPointers.Unwritable {
    RequestTransformerBody edits = config.body();
    JsonNode result;
    if (edits.replace() != null) {
      String text = edits.replace().renderString(exchange, body);
      if (out == Format.JSON) {
        return utf8(text);
      }
      try {
        result = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new RequestTransformerValue.Unconvertible("the replacement is not JSON text");
      }
    } else {
      result = edits.apply(body, edits.render(exchange, body, JSON));
    }
    if (out == Format.FORM) {
      if (!(result instanceof ObjectNode object)) {
        throw new RequestTransformerValue.Unconvertible(
            "a JSON "
                + result.getNodeType().name().toLowerCase(Locale.ROOT)
                + " cannot be sent as a form (expected: an object)");
      }
      return utf8(RequestTransformerForms.toForm(object));
    }
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(256);
    try {
      JSON.writeValue((OutputStream) new ByteBufOutputStream(buf), result);
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw new IllegalStateException("writing a JSON tree to memory", e);
    }
  }

  private static ByteBuf utf8(String text) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(text.length());
    buf.writeCharSequence(text, StandardCharsets.UTF_8);
    return buf;
  }
}
