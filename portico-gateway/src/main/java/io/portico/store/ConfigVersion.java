package io.portico.store;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of the object layer, as committed by an admin write or rollback.
 *
 * @param number 1 for the first write, one more for each write after
 * @param actor the name of the admin token that wrote it ({@code anonymous} without tokens)
 * @param action what was asked, e.g. {@code PUT /routes/users}
 * @param changed the objects the write put or deleted
 * @param layer the whole object layer after the write
 * @param configVersion the version of the effective config it produced
 * @param etags the ETag of every object of the effective config then, for diffs between versions
 */
public record ConfigVersion(
    long number,
    Instant time,
    String actor,
    String action,
    List<ObjectKey> changed,
    ObjectLayer layer,
    String configVersion,
    Map<ObjectKey, String> etags) {

  public ConfigVersion {
    changed = List.copyOf(changed);
    etags = Collections.unmodifiableMap(new TreeMap<>(etags));
  }
}
