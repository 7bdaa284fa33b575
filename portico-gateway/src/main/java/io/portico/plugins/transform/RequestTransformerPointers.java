package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Edits of a JSON tree at a JSON Pointer, for request-transformer's body edits. Writing creates the
 * objects missing on the way ({@code /a/b} in {@code {}} gives {@code {"a":{"b":...}}}); in an
 * array the segment is an index, and {@code -} (or the array's size) appends. A segment that would
 * have to go through a string, number, boolean or null cannot be written: {@link Unwritable}.
 */
final class RequestTransformerPointers {

  /** A pointer that leads through a value that holds no members. */
  static final class Unwritable extends Exception {
    Unwritable(String message) {
      super(message, null, false, false);
    }
  }

  private RequestTransformerPointers() {}

  /**
   * Writes {@code value} at {@code pointer} in {@code root}; with {@code onlyIfAbsent}, leaves an
   * existing value alone.
   */
  static void write(JsonNode root, JsonPointer pointer, JsonNode value, boolean onlyIfAbsent)
      throws Unwritable {
    JsonNode container = root;
    JsonPointer at = pointer;
    while (!at.tail().matches()) {
      JsonNode next = child(container, at);
      if (next == null) {
        next =
            container.isObject() || container.isArray()
                ? JsonNodeFactory.instance.objectNode()
                : null;
        if (next == null || !attach(container, at, next)) {
          throw unwritable(pointer, at, container);
        }
      } else if (!next.isContainerNode()) {
        throw unwritable(pointer, at.tail(), next);
      }
      container = next;
      at = at.tail();
    }
    if (container instanceof ObjectNode object) {
      String name = at.getMatchingProperty();
      if (!onlyIfAbsent || !object.has(name)) {
        object.set(name, value);
      }
    } else if (container instanceof ArrayNode array) {
      int index = index(at, array);
      if (index == array.size()) {
        array.add(value);
      } else if (index >= 0 && index < array.size()) {
        if (!onlyIfAbsent) {
          array.set(index, value);
        }
      } else if (index < 0) {
        throw unwritable(pointer, at, array);
      } else {
        throw new Unwritable(
            pointer + ": index " + index + " is past the end of an array of " + array.size());
      }
    } else {
      throw unwritable(pointer, at, container);
    }
  }

  /** Removes the value at {@code pointer} and returns it; null when there was none. */
  static @Nullable JsonNode remove(JsonNode root, JsonPointer pointer) {
    JsonNode parent = root.at(pointer.head());
    JsonPointer last = pointer.last();
    if (last == null) {
      return null;
    }
    if (parent instanceof ObjectNode object) {
      return object.remove(last.getMatchingProperty());
    }
    if (parent instanceof ArrayNode array) {
      int index = last.getMatchingIndex();
      return index >= 0 && index < array.size() ? array.remove(index) : null;
    }
    return null;
  }

  /** The child of {@code container} that the first segment of {@code at} names, or null. */
  private static @Nullable JsonNode child(JsonNode container, JsonPointer at) {
    if (container.isObject()) {
      return container.get(at.getMatchingProperty());
    }
    if (container.isArray()) {
      int index = at.getMatchingIndex();
      return index >= 0 ? container.get(index) : null;
    }
    return null;
  }

  private static boolean attach(JsonNode container, JsonPointer at, JsonNode next) {
    if (container instanceof ObjectNode object) {
      object.set(at.getMatchingProperty(), next);
      return true;
    }
    if (container instanceof ArrayNode array && index(at, array) == array.size()) {
      array.add(next);
      return true;
    }
    return false;
  }

  /** The segment as an index into {@code array}: {@code -} is the end; -1 when not an index. */
  private static int index(JsonPointer at, ArrayNode array) {
    return "-".equals(at.getMatchingProperty()) ? array.size() : at.getMatchingIndex();
  }

  private static Unwritable unwritable(JsonPointer pointer, JsonPointer at, JsonNode in) {
    String where =
        switch (in.getNodeType()) {
          case ARRAY -> "an array";
          case OBJECT -> "an object";
          case NULL -> "null";
          case BOOLEAN -> "a boolean";
          case NUMBER -> "a number";
          default -> "a " + in.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    return new Unwritable(
        pointer + ": cannot write \"" + at.getMatchingProperty() + "\" into " + where);
  }
}
