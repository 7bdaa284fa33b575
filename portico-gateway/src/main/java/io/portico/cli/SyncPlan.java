package io.portico.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.spi.config.ConfigNode;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code portico apply -f FILE} does to a running gateway, and what {@code diff} shows: the
 * file's services, routes, consumers and global plugins against the gateway's effective ones.
 *
 * <ul>
 *   <li>an object of the file the gateway does not have is <b>created</b>;
 *   <li>one the gateway has differently (its ETag differs from the file object's) is
 *       <b>updated</b>, replaced whole, whether the gateway's came from its own file or the API;
 *   <li>one the gateway has as an API object and the file does not declare is <b>deleted</b>;
 *   <li>one the gateway has from its own config file and the file does not declare is left as it
 *       is, unless {@code pruneFileObjects}, which deletes (hides) it too.
 * </ul>
 *
 * Objects equal on both sides are unchanged. Pure: computed from the two sides, no I/O.
 */
record SyncPlan(List<Action> actions, List<ObjectKey> keptFileObjects) {

  enum Op {
    CREATE,
    UPDATE,
    DELETE
  }

  /**
   * One change: for CREATE and UPDATE the file's object; for UPDATE and DELETE the gateway's
   * current JSON.
   */
  record Action(Op op, ObjectKey key, @Nullable ConfigNode desired, @Nullable JsonNode current) {}

  /** An object as the gateway lists it. */
  record Current(String source, String etag, JsonNode object) {

    boolean fromApi() {
      return source.equals("api");
    }
  }

  static SyncPlan of(
      Map<ObjectKey, ConfigNode> desired,
      Map<ObjectKey, Current> current,
      boolean pruneFileObjects) {
    List<Action> actions = new ArrayList<>();
    List<ObjectKey> kept = new ArrayList<>();
    for (Map.Entry<ObjectKey, ConfigNode> e : desired.entrySet()) {
      Current now = current.get(e.getKey());
      if (now == null) {
        actions.add(new Action(Op.CREATE, e.getKey(), e.getValue(), null));
      } else if (!now.etag().equals(ObjectJson.etag(e.getValue()))) {
        actions.add(new Action(Op.UPDATE, e.getKey(), e.getValue(), now.object()));
      }
    }
    for (Map.Entry<ObjectKey, Current> e : current.entrySet()) {
      if (desired.containsKey(e.getKey())) {
        continue;
      }
      if (e.getValue().fromApi() || pruneFileObjects) {
        actions.add(new Action(Op.DELETE, e.getKey(), null, e.getValue().object()));
      } else {
        kept.add(e.getKey());
      }
    }
    return new SyncPlan(List.copyOf(actions), List.copyOf(kept));
  }

  boolean isEmpty() {
    return actions.isEmpty();
  }
}
