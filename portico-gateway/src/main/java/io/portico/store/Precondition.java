package io.portico.store;

import io.portico.spi.config.ConfigNode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What must hold of the running config for a write to apply, checked under the write lock against
 * the config the write would replace.
 *
 * @param key the object it is about; null for {@link Type#CONFIG_VERSION}
 * @param value the expected ETag or config version
 */
public record Precondition(Type type, @Nullable ObjectKey key, @Nullable String value) {

  /** The kinds of precondition, each with the status it fails with. */
  public enum Type {
    /** The object exists (else 404). */
    EXISTS,
    /** No object has this kind and name (else 409). */
    ABSENT,
    /** The object exists with this ETag ({@code If-Match}; else 412). */
    ETAG,
    /** The effective config has this version ({@code If-Match} on a collection; else 412). */
    CONFIG_VERSION,
    /**
     * No object has this kind and name, or, with a value, none with this ETag ({@code
     * If-None-Match}; else 412).
     */
    NONE_MATCH
  }

  public static Precondition exists(ObjectKey key) {
    return new Precondition(Type.EXISTS, key, null);
  }

  public static Precondition absent(ObjectKey key) {
    return new Precondition(Type.ABSENT, key, null);
  }

  public static Precondition etag(ObjectKey key, String etag) {
    return new Precondition(Type.ETAG, key, etag);
  }

  /** {@code If-None-Match}: {@code etag} null for {@code *} (no such object at all). */
  public static Precondition noneMatch(ObjectKey key, @Nullable String etag) {
    return new Precondition(Type.NONE_MATCH, key, etag);
  }

  public static Precondition configVersion(String version) {
    return new Precondition(Type.CONFIG_VERSION, null, version);
  }

  /**
   * Checks against the running config's objects and version; null when it holds, else the failure
   * to answer with.
   */
  public WriteResult.@Nullable Failed check(
      Map<ObjectKey, ConfigNode> objects, String configVersion) {
    ConfigNode node = key == null ? null : objects.get(key);
    return switch (type) {
      case EXISTS ->
          node != null ? null : new WriteResult.Failed(404, "admin-not-found", "No " + key + ".");
      case ABSENT ->
          node == null
              ? null
              : new WriteResult.Failed(
                  409, "admin-object-exists", key + " exists; PUT " + resource() + " replaces it.");
      case ETAG -> {
        if (node == null) {
          yield new WriteResult.Failed(404, "admin-not-found", "No " + key + ".");
        }
        String actual = ObjectJson.etag(node);
        yield actual.equals(value)
            ? null
            : new WriteResult.Failed(
                412,
                "admin-precondition-failed",
                key + " has changed: its ETag is \"" + actual + "\", not \"" + value + "\".");
      }
      case NONE_MATCH ->
          node == null || (value != null && !ObjectJson.etag(node).equals(value))
              ? null
              : new WriteResult.Failed(
                  412,
                  "admin-precondition-failed",
                  value == null
                      ? key + " exists (If-None-Match: *)."
                      : key + " still has the ETag \"" + value + "\" (If-None-Match).");
      case CONFIG_VERSION ->
          configVersion.equals(value)
              ? null
              : new WriteResult.Failed(
                  412,
                  "admin-precondition-failed",
                  "The config has changed: its version is \""
                      + configVersion
                      + "\", not \""
                      + value
                      + "\".");
    };
  }

  private String resource() {
    return key == null ? "" : key.resource();
  }
}
