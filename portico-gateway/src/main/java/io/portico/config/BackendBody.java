package io.portico.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.spi.plugin.Exchange;
import io.portico.template.BackendBodies;
import io.portico.template.Template;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An aggregate backend's request body, compiled from config: a string (a text template, sent as
 * {@code text/plain}) or a YAML object or list (sent as JSON, each string in it a template that
 * keeps the JSON type of a value that is one variable: {@code user: "${backend.users./id}"} writes
 * a number when the id is one). A body without variables is rendered once, at load time.
 *
 * <p>Immutable; rendered on the exchange's event loop.
 */
public final class BackendBody {

  /** One piece of a JSON body: a fixed value, a template, an object or a list of pieces. */
  sealed interface Piece permits Fixed, Text, Members, Items {}

  /** A value without variables. */
  record Fixed(JsonNode value) implements Piece {}

  /** A string with variables. */
  record Text(Template template) implements Piece {}

  /** An object, members in config order. */
  record Members(Map<String, Piece> members) implements Piece {}

  /** A list. */
  record Items(List<Piece> items) implements Piece {}

  private static final JsonFactory JSON = new ObjectMapper().getFactory();

  private final @Nullable Template text;
  private final @Nullable Piece json;
  private final byte @Nullable [] constant;
  private final String contentType;

  private BackendBody(
      @Nullable Template text, @Nullable Piece json, byte @Nullable [] constant, String type) {
    this.text = text;
    this.json = json;
    this.constant = constant;
    this.contentType = type;
  }

  /** A text body. */
  static BackendBody text(Template template) {
    byte[] constant =
        template.isConstant() ? template.text().getBytes(StandardCharsets.UTF_8) : null;
    return new BackendBody(template, null, constant, "text/plain; charset=utf-8");
  }

  /** A JSON body; {@code constant} says whether {@code piece} holds no template. */
  static BackendBody json(Piece piece, boolean constant) {
    BackendBody b = new BackendBody(null, piece, null, "application/json");
    return constant
        ? new BackendBody(null, piece, b.write(null, null, BackendBodies.NONE), b.contentType)
        : b;
  }

  /** The {@code Content-Type} sent when the backend's headers set none. */
  public String contentType() {
    return contentType;
  }

  /** The templates of the body, for checks over every template of a backend. */
  public void templates(java.util.function.Consumer<Template> each) {
    if (text != null) {
      each.accept(text);
    } else if (json != null) {
      templates(json, each);
    }
  }

  private static void templates(Piece piece, java.util.function.Consumer<Template> each) {
    if (piece instanceof Text t) {
      each.accept(t.template());
    } else if (piece instanceof Members m) {
      m.members().values().forEach(p -> templates(p, each));
    } else if (piece instanceof Items i) {
      i.items().forEach(p -> templates(p, each));
    }
  }

  /**
   * The bytes sent for this exchange; {@code requestBody} is the client's JSON body (or null) and
   * {@code backends} the bodies of the backends this one waited for.
   */
  public byte[] render(Exchange exchange, @Nullable JsonNode requestBody, BackendBodies backends) {
    if (constant != null) {
      return constant;
    }
    if (text != null) {
      return text.renderString(exchange, requestBody, backends).getBytes(StandardCharsets.UTF_8);
    }
    return write(exchange, requestBody, backends);
  }

  private byte[] write(
      @Nullable Exchange exchange, @Nullable JsonNode requestBody, BackendBodies b) {
    Piece root = json;
    if (root == null) {
      throw new IllegalStateException("not a JSON body");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, root, exchange, requestBody, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(
      JsonGenerator g,
      Piece piece,
      @Nullable Exchange exchange,
      @Nullable JsonNode requestBody,
      BackendBodies backends)
      throws IOException {
    if (piece instanceof Fixed f) {
      g.writeTree(f.value());
    } else if (piece instanceof Text t) {
      JsonNode value = rendered(t, exchange, requestBody, backends);
      if (value == null) {
        g.writeNull();
      } else {
        g.writeTree(value);
      }
    } else if (piece instanceof Members m) {
      g.writeStartObject();
      for (Map.Entry<String, Piece> e : m.members().entrySet()) {
        if (e.getValue() instanceof Text t) {
          JsonNode value = rendered(t, exchange, requestBody, backends);
          if (value == null) {
            continue; // a missing value without a default leaves the member out
          }
          g.writeFieldName(e.getKey());
          g.writeTree(value);
        } else {
          g.writeFieldName(e.getKey());
          write(g, e.getValue(), exchange, requestBody, backends);
        }
      }
      g.writeEndObject();
    } else if (piece instanceof Items i) {
      g.writeStartArray();
      for (Piece p : i.items()) {
        write(g, p, exchange, requestBody, backends);
      }
      g.writeEndArray();
    }
  }

  private static @Nullable JsonNode rendered(
      Text t, @Nullable Exchange exchange, @Nullable JsonNode requestBody, BackendBodies b) {
    return exchange == null ? null : t.template().renderJson(exchange, requestBody, b);
  }
}
