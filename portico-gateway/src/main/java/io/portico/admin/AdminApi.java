package io.portico.admin;

import io.portico.snapshot.ReloadResult;
import io.portico.snapshot.Snapshot;

/**
 * What the admin listener reads and triggers in the running gateway. The admin package owns this
 * interface and the composition root ({@code io.portico.app.Gateway}) implements it, so the admin
 * listener never depends on the gateway that starts it.
 */
public interface AdminApi {

  /** The version Portico was built as. */
  String buildVersion();

  /** The active snapshot. */
  Snapshot snapshot();

  /** Reloads the config from its file; blocking, called off the event loops. */
  ReloadResult reload();

  /** Whether the gateway takes traffic (listeners bound, not draining). */
  boolean ready();
}
