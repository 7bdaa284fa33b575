package io.portico.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One admin write, applied or not: who (the admin token's name), what, when, and how it ended.
 *
 * @param outcome {@code applied}, {@code rejected} (invalid), {@code conflict} (a stale {@code
 *     If-Match}) or {@code failed} (the store could not be written)
 * @param version the version it committed; null unless applied
 * @param detail the problems or the reason, empty when applied
 */
public record AuditEntry(
    Instant time,
    String actor,
    String action,
    String outcome,
    @Nullable Long version,
    String detail) {

  /**
   * Writes the entry's members into {@code o}: {@code time} (ISO-8601), {@code actor}, {@code
   * action}, {@code outcome}, {@code version} when there is one, and {@code detail}. The lines of
   * the audit log file and the entries of the admin API's {@code GET /audit} have this shape.
   */
  public ObjectNode writeTo(ObjectNode o) {
    o.put("time", time.toString());
    o.put("actor", actor);
    o.put("action", action);
    o.put("outcome", outcome);
    if (version != null) {
      o.put("version", version);
    }
    o.put("detail", detail);
    return o;
  }
}
