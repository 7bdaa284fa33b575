package io.portico.store;

import org.jspecify.annotations.Nullable;

/**
 * One write to the object layer: an object put whole, or deleted.
 *
 * @param json for a put, the object as stored ({@link ObjectJson#writeForStorage}); null for a
 *     delete
 */
public record Change(ObjectKey key, @Nullable String json) {

  public static Change put(ObjectKey key, String json) {
    return new Change(key, json);
  }

  public static Change delete(ObjectKey key) {
    return new Change(key, null);
  }

  public boolean isDelete() {
    return json == null;
  }
}
