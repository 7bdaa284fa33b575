package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.plugins.builtin.ConfigValues;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.template.Destination;
import io.portico.template.Scope;
import io.portico.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code body} section of request-transformer: edits of a JSON (or form) request body by JSON
 * Pointer, applied in this order: {@code remove}, {@code rename}, {@code set} (replace or create),
 * {@code add} (only when absent), then {@code wrap} (the result becomes the member {@code wrap} of
 * a new object). Or {@code replace}: a new body from a JSON template, alone. {@code convert}
 * chooses the format sent upstream ({@code json} or {@code form}); by default the client's.
 *
 * @param maxSize the largest body the plugin reads (over it: 413)
 * @param remove pointers removed
 * @param rename values moved from one pointer to another
 * @param set values written at pointers
 * @param add values written at pointers where nothing is
 * @param wrap the member that wraps the edited body, or null
 * @param replace the JSON template of a new body, or null
 * @param convert the format sent upstream, or null for the client's
 */
record RequestTransformerBody(
    long maxSize,
    List<JsonPointer> remove,
    List<Move> rename,
    List<Assignment> set,
    List<Assignment> add,
    @Nullable String wrap,
    @Nullable Template replace,
    @Nullable Format convert) {

  /** The body formats the plugin reads and writes. */
  enum Format {
    JSON("application/json"),
    FORM("application/x-www-form-urlencoded");

    final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }

    /**
     * The format of a request body from its headers: JSON for {@code application/json} and {@code
     * application/*+json}, FORM for {@code application/x-www-form-urlencoded}; null for any other
     * type, none, or a body with a {@code Content-Encoding}: such bodies are left alone.
     */
    static @Nullable Format of(HttpHeaders headers) {
      String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
      if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
        return null;
      }
      String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
      if (type == null) {
        return null;
      }
      int semi = type.indexOf(';');
      String mime = (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
      if (mime.equals("application/json")
          || (mime.startsWith("application/") && mime.endsWith("+json"))) {
        return JSON;
      }
      return mime.equals("application/x-www-form-urlencoded") ? FORM : null;
    }
  }

  /** A value moved from {@code from} to {@code to}. */
  record Move(JsonPointer from, JsonPointer to) {}

  /** A value written at {@code pointer}. */
  record Assignment(JsonPointer pointer, RequestTransformerValue value) {}

  /** The default {@code max-size}. */
  static final long DEFAULT_MAX_SIZE = 1 << 20;

  static final String POINTER_RULE =
      "a JSON Pointer such as /user/id: \"/\" before each member, ~0 for ~ and ~1 for /";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  RequestTransformerBody {
    remove = List.copyOf(remove);
    rename = List.copyOf(rename);
    set = List.copyOf(set);
    add = List.copyOf(add);
  }

  static RequestTransformerBody parse(ConfigReader reader) {
    Problems problems = reader.problems();
    long maxSize = reader.size("max-size", DEFAULT_MAX_SIZE, 0, Integer.MAX_VALUE);
    List<JsonPointer> remove = new ArrayList<>();
    for (ConfigNode item : ConfigValues.strings(reader, "remove")) {
      JsonPointer pointer = pointer(item.text(), item, problems);
      if (pointer != null) {
        remove.add(pointer);
      }
    }
    List<Move> rename = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : ConfigValues.stringMap(reader, "rename").entrySet()) {
      JsonPointer from = pointer(e.getKey(), e.getValue(), problems);
      JsonPointer to = pointer(e.getValue().text(), e.getValue(), problems);
      if (from != null && to != null) {
        rename.add(new Move(from, to));
      }
    }
    List<Assignment> set = assignments(reader, "set");
    List<Assignment> add = assignments(reader, "add");
    String wrap = reader.string("wrap", null);
    if (wrap != null && wrap.isEmpty()) {
      reader.expected("wrap", "a member name");
    }
    Template replace = null;
    ConfigNode replaceNode = reader.child("replace");
    if (replaceNode != null) {
      replace = Template.compile(replaceNode, Scope.REQUEST_BODY, Destination.JSON, problems);
      if (wrap != null
          || !remove.isEmpty()
          || !rename.isEmpty()
          || !set.isEmpty()
          || !add.isEmpty()) {
        problems.at(
            replaceNode,
            "replace (expected: alone, without remove, rename, set, add or wrap: the template"
                + " builds the whole body)");
      }
    }
    String convert = reader.oneOf("convert", null, List.of("json", "form"));
    reader.finish();
    return new RequestTransformerBody(
        maxSize,
        remove,
        rename,
        set,
        add,
        wrap,
        replace,
        convert == null ? null : Format.valueOf(convert.toUpperCase(Locale.ROOT)));
  }

  private static List<Assignment> assignments(ConfigReader reader, String key) {
    Problems problems = reader.problems();
    ConfigNode section = reader.child(key);
    List<Assignment> out = new ArrayList<>();
    if (section == null) {
      return out;
    }
    if (!section.isObject()) {
      problems.expected(section, "an object of JSON Pointer: value");
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : section.fields().entrySet()) {
      JsonPointer pointer = pointer(e.getKey(), e.getValue(), problems);
      RequestTransformerValue value =
          RequestTransformerValue.parse(e.getValue(), Scope.REQUEST_BODY, problems);
      if (pointer != null && value != null) {
        out.add(new Assignment(pointer, value));
      }
    }
    return out;
  }

  /** {@code text} as a JSON Pointer (not the empty one), or null after reporting it. */
  static @Nullable JsonPointer pointer(@Nullable String text, ConfigNode node, Problems problems) {
    boolean valid = text != null && text.startsWith("/");
    for (int i = 0; valid && text != null && i < text.length(); i++) {
      if (text.charAt(i) == '~') {
        char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
        valid = next == '0' || next == '1';
      }
    }
    if (!valid || text == null) {
      problems.at(node, '"' + text + "\" (expected: " + POINTER_RULE + ")");
      return null;
    }
    return JsonPointer.compile(text);
  }

  /** Whether anything changes the body (otherwise it is forwarded as the client sent it). */
  boolean edits() {
    return replace != null
        || wrap != null
        || convert != null
        || !remove.isEmpty()
        || !rename.isEmpty()
        || !set.isEmpty()
        || !add.isEmpty();
  }

  /**
   * Renders every value of {@code set} and {@code add} against the body as the client sent it (so a
   * value is never read from an edit before it), in that order; null for a missing one.
   */
  JsonNode[] render(Exchange exchange, JsonNode body, ObjectMapper json)
      throws RequestTransformerValue.Unconvertible {
    JsonNode[] values = new JsonNode[set.size() + add.size()];
    int i = 0;
    for (Assignment a : set) {
      values[i++] = a.value().render(exchange, body, json);
    }
    for (Assignment a : add) {
      values[i++] = a.value().render(exchange, body, json);
    }
    return values;
  }

  /** The edited body: {@code body} changed in place, or a new root when wrapped. */
  JsonNode apply(JsonNode body, JsonNode[] values) throws RequestTransformerPointers.Unwritable {
    for (JsonPointer pointer : remove) {
      RequestTransformerPointers.remove(body, pointer);
    }
    for (Move move : rename) {
      JsonNode moved = RequestTransformerPointers.remove(body, move.from());
      if (moved != null) {
        RequestTransformerPointers.write(body, move.to(), moved, false);
      }
    }
    int i = 0;
    for (Assignment a : set) {
      JsonNode value = values[i++];
      if (value != null) {
        RequestTransformerPointers.write(body, a.pointer(), value, false);
      }
    }
    for (Assignment a : add) {
      JsonNode value = values[i++];
      if (value != null) {
        RequestTransformerPointers.write(body, a.pointer(), value, true);
      }
    }
    if (wrap != null) {
      ObjectNode envelope = NODES.objectNode();
      envelope.set(wrap, body);
      return envelope;
    }
    return body;
  }
}
