package io.portico.admin;

import io.portico.app.Gateway;
import io.portico.snapshot.Snapshot;

/** What the admin listener reads and triggers in the running gateway. */
public interface AdminApi {

  /** The active snapshot. */
  Snapshot snapshot();

  /** Reloads the config from its file; blocking, called off the event loops. */
  Gateway.ReloadResult reload();

  /** Whether the gateway takes traffic (listeners bound, not draining). */
  boolean ready();
}
