package io.portico.spi.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One node of a parsed configuration document, with the place it came from.
 *
 * <p>The loader turns YAML or JSON into a tree of these nodes, keeping for each the file, line and
 * column where it starts and its path from the root ({@code routes[2].paths[0]}). Every check of
 * the configuration reports against a node, so a user always learns where a problem lies. Nodes are
 * immutable; scalars keep the text as written (after {@code ${ENV}} interpolation) and are
 * converted only by {@link ConfigReader}.
 */
public final class ConfigNode {

  /** What a node holds. */
  public enum Kind {
    OBJECT,
    LIST,
    SCALAR,
    NULL
  }

  private final Kind kind;
  private final String path;
  private final Location location;
  private final @Nullable String scalar;
  private final boolean quoted;
  private final Map<String, ConfigNode> fields;
  private final Map<String, Location> keyLocations;
  private final List<ConfigNode> items;

  private ConfigNode(
      Kind kind,
      String path,
      Location location,
      @Nullable String scalar,
      boolean quoted,
      Map<String, ConfigNode> fields,
      Map<String, Location> keyLocations,
      List<ConfigNode> items) {
    this.kind = kind;
    this.path = path;
    this.location = location;
    this.scalar = scalar;
    this.quoted = quoted;
    this.fields = fields;
    this.keyLocations = keyLocations;
    this.items = items;
  }

  /** A scalar; {@code quoted} tells whether it was written as a string literal. */
  public static ConfigNode scalar(String path, Location location, String text, boolean quoted) {
    return new ConfigNode(Kind.SCALAR, path, location, text, quoted, Map.of(), Map.of(), List.of());
  }

  /** An explicit null ({@code ~}, {@code null} or an empty value). */
  public static ConfigNode nullNode(String path, Location location) {
    return new ConfigNode(Kind.NULL, path, location, null, false, Map.of(), Map.of(), List.of());
  }

  /** An object; the field order is kept. */
  public static ConfigNode object(String path, Location location, Map<String, ConfigNode> fields) {
    return object(path, location, fields, Map.of());
  }

  /**
   * An object whose keys' own places are known ({@code keyLocations}), so that a problem with a key
   * itself (an unknown key whose value is a block on the lines below) points at the key's line.
   */
  public static ConfigNode object(
      String path,
      Location location,
      Map<String, ConfigNode> fields,
      Map<String, Location> keyLocations) {
    return new ConfigNode(
        Kind.OBJECT,
        path,
        location,
        null,
        false,
        Collections.unmodifiableMap(new LinkedHashMap<>(fields)),
        Map.copyOf(keyLocations),
        List.of());
  }

  /** A list. */
  public static ConfigNode list(String path, Location location, List<ConfigNode> items) {
    return new ConfigNode(
        Kind.LIST, path, location, null, false, Map.of(), Map.of(), List.copyOf(items));
  }

  /** An empty object at the root of a document, used when a section is absent. */
  public static ConfigNode emptyObject(String path, Location location) {
    return object(path, location, Map.of());
  }

  public Kind kind() {
    return kind;
  }

  public boolean isObject() {
    return kind == Kind.OBJECT;
  }

  public boolean isList() {
    return kind == Kind.LIST;
  }

  public boolean isScalar() {
    return kind == Kind.SCALAR;
  }

  public boolean isNull() {
    return kind == Kind.NULL;
  }

  /** The path from the document root, e.g. {@code routes[2].paths[0]}; empty for the root. */
  public String path() {
    return path;
  }

  public Location location() {
    return location;
  }

  /** The scalar text, or null when this is not a scalar. */
  public @Nullable String text() {
    return scalar;
  }

  /**
   * The text of a node known to be a scalar ({@link #isScalar()}).
   *
   * @throws IllegalStateException when this is not a scalar
   */
  public String scalarText() {
    if (scalar == null) {
      throw new IllegalStateException(path + " is not a scalar");
    }
    return scalar;
  }

  /** Whether a scalar was written quoted (so {@code "8080"} stays a string). */
  public boolean quoted() {
    return quoted;
  }

  /** The fields of an object, in document order; empty for other kinds. */
  public Map<String, ConfigNode> fields() {
    return fields;
  }

  /**
   * Where a problem with {@code key} of this object itself (an unknown key) is reported: at its
   * value when the value starts on the key's line, as every other problem is, and at the key when
   * the value is a block on the lines below it, so that the line shown is the one with the mistake.
   */
  public Location keyLocation(String key) {
    ConfigNode value = fields.get(key);
    Location at = keyLocations.get(key);
    if (value == null) {
      return at != null ? at : location;
    }
    return at != null && at.line() < value.location().line() ? at : value.location();
  }

  /** The items of a list; empty for other kinds. */
  public List<ConfigNode> items() {
    return items;
  }

  /** The path of a child field. */
  public String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The path of a list item. */
  public String itemPath(int index) {
    return path + "[" + index + "]";
  }

  /** A short rendering of the value for messages: scalars quoted, containers by kind. */
  public String describe() {
    return switch (kind) {
      case SCALAR -> '"' + scalar + '"';
      case NULL -> "null";
      case OBJECT -> "an object";
      case LIST -> "a list";
    };
  }

  @Override
  public String toString() {
    return path + "=" + describe();
  }
}
