package io.portico.store;

import java.util.List;

/**
 * One admin write: changes applied together as one version, when every precondition holds.
 *
 * @param actor the admin token's name, for the audit log and history
 * @param action what was asked, e.g. {@code PUT /routes/users}
 */
public record ObjectWrite(
    String actor, String action, List<Change> changes, List<Precondition> preconditions) {

  public ObjectWrite {
    changes = List.copyOf(changes);
    preconditions = List.copyOf(preconditions);
  }
}
