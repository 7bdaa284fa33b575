package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON edits of {@code response-transformer}, compiled once into a tree of paths and applied
 * streaming: tokens are copied from a {@link JsonParser} to a {@link JsonGenerator}, denied
 * subtrees are skipped without being built, fields are renamed as they are written, and values are
 * set when their object ends. No document tree is ever made, and kept strings and numbers are
 * copied from the parser's character buffer: no {@code String} per value, no number parsed.
 *
 * <p>Paths are dot-separated member names; {@code name[*]} (or {@code [*]} alone, at the root)
 * stands for every element of an array: {@code user.password}, {@code items[*].secret}.
 *
 * <pre>
 *   unwrap ─▶ allow (keep only) ─▶ deny (drop) ─▶ rename ─▶ set ─▶ wrap
 * </pre>
 *
 * <p>Immutable and thread-safe; one instance per plugin config.
 */
final class ResponseTransformerJson {

  /** The path syntax, for config errors. */
  static final String PATH_RULE = "a path of member names such as user.name or items[*].id";

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
          .build();

  /** What applies at one place of the document. */
  static final class Node {
    final Map<String, Node> fields = new LinkedHashMap<>();
    @Nullable Node elements;
    boolean deny;
    @Nullable String renameTo;

    /** This place lies on an allow path. */
    boolean allowed;

    /** Some allow path goes below this place: only allowed members are kept. */
    boolean filters;

    /** Raw JSON values to set as members of this object, by name. */
    final Map<String, String> sets = new LinkedHashMap<>();

    Node child(String name) {
      return fields.computeIfAbsent(name, n -> new Node());
    }

    Node elements() {
      if (elements == null) {
        elements = new Node();
      }
      return elements;
    }
  }

  private final Node root;
  private final @Nullable String wrap;
  private final @Nullable String unwrap;

  ResponseTransformerJson(Node root, @Nullable String wrap, @Nullable String unwrap) {
    this.root = root;
    this.wrap = wrap;
    this.unwrap = unwrap;
  }

  /**
   * The segments of {@code path}: member names, and {@code "[*]"} for every array element; null
   * when the path is malformed.
   */
  static @Nullable List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    if (path == null || path.isEmpty()) {
      return null;
    }
    for (String part : path.split("\\.", -1)) {
      String name = part;
      int wildcards = 0;
      while (name.endsWith("[*]")) {
        name = name.substring(0, name.length() - 3);
        wildcards++;
      }
      if (name.isEmpty() && !(out.isEmpty() && wildcards > 0)) {
        return null;
      }
      if (name.indexOf('[') >= 0 || name.indexOf(']') >= 0) {
        return null;
      }
      if (!name.isEmpty()) {
        out.add(name);
      }
      for (int i = 0; i < wildcards; i++) {
        out.add("[*]");
      }
    }
    return out;
  }

  /** The node at {@code segments} below {@code root}, made on the way. */
  static Node at(Node root, List<String> segments) {
    Node n = root;
    for (String s : segments) {
      n = s.equals("[*]") ? n.elements() : n.child(s);
    }
    return n;
  }

  /** Marks an allow path: every place on it is allowed, every place above it filters. */
  static void allow(Node root, List<String> segments) {
    Node n = root;
    for (String s : segments) {
      n.filters = true;
      n = s.equals("[*]") ? n.elements() : n.child(s);
      n.allowed = true;
    }
  }

  /**
   * Rewrites the document in {@code in} into {@code out}.
   *
   * @throws IOException when the input is not one well-formed JSON document (a {@link
   *     com.fasterxml.jackson.core.JsonProcessingException}), or the output fails
   */
  void rewrite(InputStream in, OutputStream out) throws IOException {
    try (JsonParser p = JSON.createParser(in);
        JsonGenerator g = JSON.createGenerator(out)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "an empty body");
      }
      if (wrap != null) {
        g.writeStartObject();
        g.writeFieldName(wrap);
      }
      if (unwrap != null) {
        if (!unwrap(p, g)) {
          g.writeNull();
        }
      } else {
        value(p, g, root);
      }
      if (wrap != null) {
        g.writeEndObject();
      }
      if (p.nextToken() != null) {
        throw new com.fasterxml.jackson.core.JsonParseException(
            p, "more than one JSON value in the body");
      }
    }
  }

  /** Writes the member {@code unwrap} of the root object as the document; false when missing. */
  private boolean unwrap(JsonParser p, JsonGenerator g) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return false;
    }
    boolean found = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (!found && name.equals(unwrap)) {
        value(p, g, root);
        found = true;
      } else {
        p.skipChildren();
      }
    }
    return found;
  }

  /** Copies the value at the parser's current token, applying {@code node} (null: none). */
  private static void value(JsonParser p, JsonGenerator g, @Nullable Node node) throws IOException {
    if (node == null) {
      copy(p, g);
      return;
    }
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      object(p, g, node);
    } else if (t == JsonToken.START_ARRAY) {
      g.writeStartArray();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        value(p, g, node.elements);
      }
      g.writeEndArray();
    } else {
      copyScalar(p, g, t);
    }
  }

  /**
   * Copies the value at the parser's current token (a scalar, or a whole object or array) as it is.
   * Unlike {@link JsonGenerator#copyCurrentStructure}, strings and numbers go from the parser's
   * character buffer to the generator: no {@code String} is made and numbers are never parsed, so
   * they keep the upstream's exact text.
   */
  private static void copy(JsonParser p, JsonGenerator g) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
      copyScalar(p, g, t);
      return;
    }
    int depth = 0;
    do {
      switch (t) {
        case START_OBJECT -> {
          g.writeStartObject();
          depth++;
        }
        case START_ARRAY -> {
          g.writeStartArray();
          depth++;
        }
        case END_OBJECT -> {
          g.writeEndObject();
          depth--;
        }
        case END_ARRAY -> {
          g.writeEndArray();
          depth--;
        }
        case FIELD_NAME -> g.writeFieldName(p.currentName());
        default -> copyScalar(p, g, t);
      }
    } while (depth > 0 && (t = p.nextToken()) != null);
  }

  private static void copyScalar(JsonParser p, JsonGenerator g, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_STRING ->
          g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
          g.writeNumber(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      case VALUE_TRUE -> g.writeBoolean(true);
      case VALUE_FALSE -> g.writeBoolean(false);
      case VALUE_NULL -> g.writeNull();
      default -> g.copyCurrentEvent(p);
    }
  }

  private static void object(JsonParser p, JsonGenerator g, Node node) throws IOException {
    g.writeStartObject();
    Map<String, String> sets = node.sets;
    int setsWritten = 0;
    boolean[] written = sets.isEmpty() ? null : new boolean[sets.size()];
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      Node child = node.fields.get(name);
      if ((node.filters && (child == null || !child.allowed)) || (child != null && child.deny)) {
        p.skipChildren();
        continue;
      }
      if (written != null) {
        int i = indexOf(sets, name);
        if (i >= 0) {
          p.skipChildren();
          if (!written[i]) {
            written[i] = true;
            setsWritten++;
            g.writeFieldName(name);
            g.writeRawValue(sets.get(name));
          }
          continue;
        }
      }
      g.writeFieldName(child != null && child.renameTo != null ? child.renameTo : name);
      value(p, g, child == null || isPassThrough(child) ? null : child);
    }
    if (written != null && setsWritten < written.length) {
      int i = 0;
      for (Map.Entry<String, String> e : sets.entrySet()) {
        if (!written[i++]) {
          g.writeFieldName(e.getKey());
          g.writeRawValue(e.getValue());
        }
      }
    }
    g.writeEndObject();
  }

  /** Whether nothing applies below {@code node}: its value is copied as it is. */
  private static boolean isPassThrough(Node node) {
    return node.fields.isEmpty() && node.elements == null && node.sets.isEmpty() && !node.filters;
  }

  private static int indexOf(Map<String, String> sets, String name) {
    int i = 0;
    for (String key : sets.keySet()) {
      if (key.equals(name)) {
        return i;
      }
      i++;
    }
    return -1;
  }
}
