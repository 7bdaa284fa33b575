package io.portico.aggregate;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.config.BackendConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A backend's merge rule, compiled: {@link #shape} turns its parsed body into the part of the
 * answer ({@code target}, then {@code allow} or {@code deny}, then {@code rename}, then the shape
 * check), and {@link #merge} puts that part into the answer ({@code group}, {@code collection}, or
 * the object's members at the root, where a later backend's member replaces an earlier one's).
 *
 * <p>Immutable; shared by every exchange of its snapshot. The trees it edits belong to one
 * exchange.
 */
final class Shaping {

  /** The body is not what the rule takes; the detail says what was expected. */
  static final class ShapeMismatch extends Exception {
    ShapeMismatch(String detail) {
      super(detail, null, false, false);
    }
  }

  private final @Nullable JsonPointer target;
  private final List<String[]> allow;
  private final List<String[]> deny;
  private final Map<String, String> rename;
  private final @Nullable String group;
  private final @Nullable String collection;
  private final boolean untouched;

  Shaping(BackendConfig.MergeRule rule) {
    String t = rule.target();
    this.target =
        t == null ? null : JsonPointer.compile(t.startsWith("/") ? t : "/" + t.replace("~", "~0"));
    this.allow = split(rule.allow());
    this.deny = split(rule.deny());
    this.rename = Map.copyOf(rule.rename());
    this.group = rule.group();
    this.collection = rule.collection();
    this.untouched = rule.untouched() && group == null && collection == null;
  }

  /** Whether the body joins the answer exactly as the backend sent it (no rule at all). */
  boolean untouched() {
    return untouched;
  }

  /**
   * The part of {@code body} that joins the answer: a missing {@code target} is JSON null (nothing
   * to merge). Edits {@code body} in place.
   */
  JsonNode shape(JsonNode body) throws ShapeMismatch {
    JsonNode node = body;
    if (target != null) {
      node = node.at(target);
      if (node.isMissingNode()) {
        node = NullNode.getInstance();
      }
    }
    if (!allow.isEmpty()) {
      node = allowed(node, allow, 0);
    }
    for (String[] path : deny) {
      remove(node, path, 0);
    }
    if (!rename.isEmpty() && node instanceof ObjectNode object) {
      for (Map.Entry<String, String> e : rename.entrySet()) {
        JsonNode value = object.remove(e.getKey());
        if (value != null) {
          object.set(e.getValue(), value);
        }
      }
    }
    if (collection != null) {
      if (!node.isArray() && !node.isNull()) {
        throw new ShapeMismatch(
            "The body is a JSON " + kind(node) + " where collection takes an array.");
      }
    } else if (group == null && !node.isObject() && !node.isNull()) {
      throw new ShapeMismatch(
          "The body is a JSON "
              + kind(node)
              + " where a merge at the root takes an object (use group or collection).");
    }
    return node;
  }

  /** Puts a shaped body into {@code answer}. */
  void merge(ObjectNode answer, JsonNode shaped) {
    if (group != null) {
      answer.set(group, shaped);
    } else if (collection != null) {
      answer.set(collection, shaped.isNull() ? JsonNodeFactory.instance.arrayNode() : shaped);
    } else if (shaped instanceof ObjectNode object) {
      answer.setAll(object);
    }
  }

  /** Only the members on {@code paths} (from segment {@code depth}); arrays element by element. */
  private static JsonNode allowed(JsonNode node, List<String[]> paths, int depth) {
    if (node instanceof ArrayNode array) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode(array.size());
      for (JsonNode element : array) {
        out.add(allowed(element, paths, depth));
      }
      return out;
    }
    if (!(node instanceof ObjectNode object)) {
      return node;
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String[] path : paths) {
      String name = path[depth];
      JsonNode child = object.get(name);
      if (child == null || out.has(name)) {
        continue;
      }
      List<String[]> below = new ArrayList<>();
      boolean whole = false;
      for (String[] p : paths) {
        if (p[depth].equals(name)) {
          if (p.length == depth + 1) {
            whole = true;
          } else {
            below.add(p);
          }
        }
      }
      out.set(name, whole ? child : allowed(child, below, depth + 1));
    }
    return out;
  }

  private static void remove(JsonNode node, String[] path, int depth) {
    if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        remove(element, path, depth);
      }
    } else if (node instanceof ObjectNode object) {
      if (depth == path.length - 1) {
        object.remove(path[depth]);
      } else {
        JsonNode child = object.get(path[depth]);
        if (child != null) {
          remove(child, path, depth + 1);
        }
      }
    }
  }

  private static List<String[]> split(List<String> paths) {
    List<String[]> out = new ArrayList<>(paths.size());
    for (String p : paths) {
      out.add(p.split("\\."));
    }
    return List.copyOf(out);
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "array";
      case OBJECT -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      default -> "value";
    };
  }
}
