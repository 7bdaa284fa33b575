package io.portico.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.spi.config.ConfigNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The JSON form of a config object, the same whichever document it was read from: unquoted scalars
 * that read as JSON numbers or booleans are written as such, every other scalar as a string. So a
 * route written in YAML and the same route posted as JSON have one form and one {@link #etag}.
 *
 * <p>Stateless; thread-safe.
 */
public final class ObjectJson {

  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern NUMBER =
      Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");

  private ObjectJson() {}

  /** The node as JSON, fields in document order. */
  public static String write(ConfigNode node) {
    return render(node, false, false);
  }

  /**
   * The node as JSON to be loaded again as a config document: {@code ${} in strings is written
   * {@code $${}, so a value that was interpolated once is not interpolated twice.
   */
  public static String writeForStorage(ConfigNode node) {
    return render(node, false, true);
  }

  /**
   * The ETag of an object: the first 16 hex digits of the SHA-256 of its JSON with the fields of
   * every object sorted, so that field order does not count.
   */
  public static String etag(ConfigNode node) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(render(node, true, false).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static String render(ConfigNode node, boolean sorted, boolean escape) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      write(g, node, sorted, escape);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not reached: a StringWriter does not fail
    }
    return w.toString();
  }

  private static void write(JsonGenerator g, ConfigNode node, boolean sorted, boolean escape)
      throws IOException {
    switch (node.kind()) {
      case OBJECT -> {
        g.writeStartObject();
        Map<String, ConfigNode> fields = sorted ? new TreeMap<>(node.fields()) : node.fields();
        for (Map.Entry<String, ConfigNode> e : fields.entrySet()) {
          g.writeFieldName(escape ? escape(e.getKey()) : e.getKey());
          write(g, e.getValue(), sorted, escape);
        }
        g.writeEndObject();
      }
      case LIST -> {
        g.writeStartArray();
        for (ConfigNode item : node.items()) {
          write(g, item, sorted, escape);
        }
        g.writeEndArray();
      }
      case SCALAR -> writeScalar(g, node, escape);
      case NULL -> g.writeNull();
    }
  }

  /**
   * Writes a scalar in the JSON form of this class: unquoted {@code true}, {@code false} and JSON
   * numbers typed, every other scalar a string.
   */
  public static void writeScalar(JsonGenerator g, ConfigNode node) throws IOException {
    writeScalar(g, node, false);
  }

  private static void writeScalar(JsonGenerator g, ConfigNode node, boolean escape)
      throws IOException {
    String t = node.text();
    if (t == null) {
      g.writeNull();
      return;
    }
    if (!node.quoted()) {
      String lower = t.toLowerCase(Locale.ROOT);
      if (lower.equals("true") || lower.equals("false")) {
        g.writeBoolean(Boolean.parseBoolean(lower));
        return;
      }
      if (NUMBER.matcher(t).matches()) {
        g.writeNumber(t);
        return;
      }
    }
    g.writeString(escape ? escape(t) : t);
  }

  private static String escape(String text) {
    return text.replace("${", "$${");
  }

  /**
   * A copy of {@code node} whose paths start at {@code root} instead of the document root: {@code
   * paths[0]} under root {@code $} becomes {@code $.paths[0]}. Locations are kept.
   */
  public static ConfigNode rebase(ConfigNode node, String root) {
    String path = node.path();
    String rebased = path.isEmpty() ? root : path.startsWith("[") ? root + path : root + "." + path;
    return switch (node.kind()) {
      case OBJECT -> {
        Map<String, ConfigNode> fields = new LinkedHashMap<>();
        node.fields().forEach((k, v) -> fields.put(k, rebase(v, root)));
        yield ConfigNode.object(rebased, node.location(), fields, node.keyLocations());
      }
      case LIST -> {
        List<ConfigNode> items = new ArrayList<>();
        node.items().forEach(i -> items.add(rebase(i, root)));
        yield ConfigNode.list(rebased, node.location(), items);
      }
      case SCALAR ->
          ConfigNode.scalar(
              rebased,
              node.location(),
              java.util.Objects.requireNonNull(node.text()),
              node.quoted());
      case NULL -> ConfigNode.nullNode(rebased, node.location());
    };
  }
}
