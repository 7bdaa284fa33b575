package io.portico.store;

import io.portico.spi.config.Problems;

/** How an admin write ended. */
public sealed interface WriteResult {

  /** Applied as a new snapshot and committed as {@code version} of the store. */
  record Applied(long version, String configVersion) implements WriteResult {}

  /** The config it would make is invalid; nothing changed. */
  record Rejected(Problems problems) implements WriteResult {}

  /**
   * Not applied for another reason; nothing changed.
   *
   * @param status the HTTP status that says why (404, 409, 412, 503, ...)
   * @param type the problem type's last segment
   */
  record Failed(int status, String type, String detail) implements WriteResult {}

  /**
   * A dry run's answer: the write would apply; nothing changed.
   *
   * @param parsed the config the write would make, parsed and checked
   */
  record Valid(io.portico.config.GatewayConfig parsed) implements WriteResult {

    /** The effective config tree (file and API objects) the write would make. */
    public io.portico.spi.config.ConfigNode config() {
      return parsed.source();
    }
  }
}
