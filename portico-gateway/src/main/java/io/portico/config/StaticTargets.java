package io.portico.config;

import java.util.List;

/** The settings of {@code discovery: static}, the default: the service's targets as written. */
public record StaticTargets(List<TargetConfig> targets) {
  public StaticTargets {
    targets = List.copyOf(targets);
  }
}
