package io.portico.snapshot;

import io.portico.spi.config.Problems;
import java.util.List;

/**
 * What a reload did: whether the new config was applied, the config version serving afterwards (the
 * old one when it was rejected), the problems found (every one when it was rejected) and, for an
 * applied config, the warnings logged with it: changes that take effect only on restart, and a
 * config without routes (every request then answered 404).
 */
public record ReloadResult(
    boolean applied, String version, Problems problems, List<String> warnings) {

  public ReloadResult {
    warnings = List.copyOf(warnings);
  }

  /** A rejected reload: nothing changed, {@code version} still serves. */
  public static ReloadResult rejected(String version, Problems problems) {
    return new ReloadResult(false, version, problems, List.of());
  }
}
