package io.portico.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The objects written through the admin API, laid over the config file: each object put by name
 * replaces the file's object of that kind and name, or adds one; each object deleted by name hides
 * the file's. Objects the layer does not name are the file's, as the file has them now, so a reload
 * of the file keeps every API write.
 *
 * <p>Immutable: a write makes a new layer ({@link #with}).
 *
 * @param objects the objects put, as stored JSON, in the order they were first written
 * @param deleted the file's objects deleted through the API
 */
public record ObjectLayer(Map<ObjectKey, String> objects, Set<ObjectKey> deleted) {

  public static final ObjectLayer EMPTY = new ObjectLayer(Map.of(), Set.of());

  public ObjectLayer {
    objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
    deleted = Collections.unmodifiableSet(new TreeSet<>(deleted));
  }

  public boolean isEmpty() {
    return objects.isEmpty() && deleted.isEmpty();
  }

  /**
   * The layer with {@code change} applied. A delete of an object the file has ({@code inFile})
   * hides it; of an object only the layer has, forgets it.
   */
  public ObjectLayer with(Change change, Predicate<ObjectKey> inFile) {
    Map<ObjectKey, String> nextObjects = new LinkedHashMap<>(objects);
    Set<ObjectKey> nextDeleted = new TreeSet<>(deleted);
    String json = change.json();
    if (json == null) {
      nextObjects.remove(change.key());
      if (inFile.test(change.key())) {
        nextDeleted.add(change.key());
      }
    } else {
      nextObjects.put(change.key(), json);
      nextDeleted.remove(change.key());
    }
    return new ObjectLayer(nextObjects, nextDeleted);
  }
}
