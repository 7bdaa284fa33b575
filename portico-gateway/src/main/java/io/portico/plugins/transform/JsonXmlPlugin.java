package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@code json-xml} instance.
 *
 * <pre>
 *   ACCESS (request side on, a body of a configured JSON type, no Content-Encoding):
 *     Exchange.requestBody(max-size) ─▶ 413 over it (the gateway)
 *       ─▶ JsonToXml ─▶ 400 malformed-request-body / request-transformation-failed
 *       ─▶ Content-Type set, Exchange.replaceRequestBody (the gateway sets Content-Length)
 *   RESPONSE_BODY (response side on, an upstream body of an XML type the gateway can decode):
 *     Content-Type: application/json, and a whole-body transform capped by max-size
 *       ─▶ 502 over it (the gateway)
 *       ─▶ XmlToJson ─▶ 502 upstream_body_invalid when malformed, declares a DTD or nests too deep
 * </pre>
 *
 * <p>The request body the gateway lends is read in place and never kept; the new body is handed to
 * the gateway, which owns it from then on. The response step's input belongs to the gateway; its
 * output is a new buffer whose ownership passes to the gateway. Immutable and shared by every
 * exchange of its snapshot; runs on the exchange's event loop.
 */
final class JsonXmlPlugin implements Plugin {

  private final JsonXmlConfig config;
  private final @Nullable JsonToXml toXml;
  private final @Nullable XmlToJson toJson;

  JsonXmlPlugin(JsonXmlConfig config) {
    this.config = config;
    this.toXml =
        config.request() == null
            ? null
            : new JsonToXml(config.request(), config.attributePrefix(), config.textKey());
    this.toJson =
        config.response() == null
            ? null
            : new XmlToJson(config.response(), config.attributePrefix(), config.textKey());
  }

  @Override
  public Set<Phase> phases() {
    EnumSet<Phase> phases = EnumSet.noneOf(Phase.class);
    if (toXml != null) {
      phases.add(Phase.ACCESS);
    }
    if (toJson != null) {
      phases.add(Phase.RESPONSE_BODY);
    }
    return phases;
  }

  @Override
  public Outcome access(Exchange exchange) {
    JsonXmlConfig.RequestSide side = config.request();
    JsonToXml converter = toXml;
    HttpHeaders headers = exchange.request().headers();
    if (converter == null
        || side == null
        || !identity(headers)
        || !JsonXmlConfig.matches(
            side.contentTypes(),
            JsonXmlConfig.mediaType(headers.get(HttpHeaderNames.CONTENT_TYPE)))) {
      return Outcome.proceed();
    }
    return Outcome.await(
        exchange
            .requestBody(side.maxSize())
            .thenApply(body -> convert(exchange, body, side, converter)));
  }

  private static Outcome convert(
      Exchange exchange, ByteBuf body, JsonXmlConfig.RequestSide side, JsonToXml converter) {
    if (!body.isReadable()) {
      return Outcome.proceed();
    }
    ByteBuf xml;
    try {
      xml = converter.convert(body, ByteBufAllocator.DEFAULT);
    } catch (JsonProcessingException e) {
      return MalformedJson.reply(e);
    } catch (JsonToXml.Unconvertible e) {
      return Reply.problem(
          HttpResponseStatus.BAD_REQUEST,
          "request-transformation-failed",
          "Bad Request",
          "The JSON request body cannot be converted to XML: " + e.getMessage() + ".");
    } catch (IOException e) {
      throw new UncheckedIOException("reading a body held in memory", e);
    }
    exchange.request().headers().set(HttpHeaderNames.CONTENT_TYPE, side.contentType());
    exchange.replaceRequestBody(xml);
    return Outcome.proceed();
  }

  /**
   * For an XML body the step can read (identity, or a coding the gateway decodes): says now that
   * the client gets JSON, so that plugins after this one see the type they will get, and returns
   * the capped whole-body conversion. Called only for upstream responses with a body, so a local
   * reply (a {@code mock} answering XML) keeps its type.
   */
  @Override
  public @Nullable BodyTransform responseBody(Exchange exchange) {
    JsonXmlConfig.ResponseSide side = config.response();
    XmlToJson converter = toJson;
    HttpResponse response = exchange.response();
    if (side == null || converter == null || response == null) {
      return null;
    }
    HttpHeaders headers = response.headers();
    String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (!JsonXmlConfig.matches(side.contentTypes(), JsonXmlConfig.mediaType(contentType))
        || !decodable(headers)) {
      return null;
    }
    Charset charset = HttpUtil.getCharset(contentType, null);
    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return BodyTransform.whole(
        side.maxSize(), (input, alloc) -> converter.convert(input, charset, alloc));
  }

  private static boolean identity(HttpHeaders headers) {
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    return encoding == null || encoding.trim().equalsIgnoreCase("identity");
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
