package io.portico.admin;

import static io.portico.admin.ObjectEndpoints.body;
import static io.portico.admin.ObjectEndpoints.configPrecondition;
import static io.portico.admin.ObjectEndpoints.invalid;
import static io.portico.admin.ObjectEndpoints.keepKey;
import static io.portico.admin.ObjectEndpoints.now;
import static io.portico.admin.ObjectEndpoints.result;
import static io.portico.admin.ObjectEndpoints.storable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.portico.admin.ObjectEndpoints.BadBody;
import io.portico.admin.ObjectEndpoints.Outcome;
import io.portico.store.Change;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch write {@code POST /config/changes}, dispatched here by {@link ObjectEndpoints}: the
 * body is checked and turned into one {@link ObjectWrite} on the event loop, and the write (or with
 * {@code dry_run} only its check, by {@link DryRun}) runs on the admin thread.
 */
final class ChangesEndpoint {

  private ChangesEndpoint() {}

  /**
   * {@code POST /config/changes}: several objects put or deleted as one version, all or nothing:
   * {@code {"changes": [{"op": "put", "kind": "routes", "name": "a", "object": {...}}, {"op":
   * "delete", "kind": "services", "name": "b"}]}}. {@code If-Match} holds the config version.
   */
  static Outcome batch(FullHttpRequest req, AdminAuth.Caller caller, boolean dryQuery) {
    JsonNode body;
    try {
      body = body(req);
    } catch (BadBody e) {
      return now(e.response);
    }
    JsonNode list = body.get("changes");
    if (list == null || !list.isArray()) {
      return now(invalid("/config/changes", "$.changes", "expected: a list of changes"));
    }
    JsonNode dryNode = body.path("dry_run");
    if (!dryNode.isMissingNode() && !dryNode.isBoolean()) {
      return now(invalid("/config/changes", "$.dry_run", "expected: true or false"));
    }
    boolean dry = dryQuery || dryNode.asBoolean(false);
    List<Change> changes = new ArrayList<>();
    List<Precondition> pre = new ArrayList<>(configPrecondition(req));
    int i = 0;
    for (JsonNode c : list) {
      String at = "$.changes[" + i++ + "]";
      ObjectKind kind = ObjectKind.ofSection(c.path("kind").asText(""));
      String name = c.path("name").asText("");
      String op = c.path("op").asText("");
      if (kind == null || name.isEmpty() || !(op.equals("put") || op.equals("delete"))) {
        return now(
            invalid(
                "/config/changes",
                at,
                "expected: {op: put|delete, kind: services|routes|consumers|plugins|ai-providers|ai-models,"
                    + " name,"
                    + " object}"));
      }
      ObjectKey key = new ObjectKey(kind, name);
      if (op.equals("delete")) {
        changes.add(Change.delete(key));
        pre.add(Precondition.exists(key));
        continue;
      }
      JsonNode object = c.get("object");
      if (object == null || !object.isObject()) {
        return now(invalid("/config/changes", at + ".object", "expected: an object"));
      }
      String json;
      try {
        json = storable(key, (ObjectNode) object);
      } catch (BadBody e) {
        return now(e.response);
      }
      changes.add(Change.put(key, json));
    }
    return new Outcome.Later(
        a -> {
          List<Change> kept = new ArrayList<>();
          for (Change c : changes) {
            String j = c.json();
            kept.add(j == null ? c : Change.put(c.key(), keepKey(a, c.key(), j)));
          }
          ObjectWrite w = new ObjectWrite(caller.name(), "POST /config/changes", kept, pre);
          return dry ? DryRun.answer(a, w) : result(a.write(w), null);
        });
  }
}
