package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import org.jspecify.annotations.Nullable;

/** Parses {@code portal} into a {@link PortalConfig}: {@code off}, or {@code enabled, sign-up}. */
final class PortalSection {

  private PortalSection() {}

  static PortalConfig parse(@Nullable ConfigNode node, ConfigReader parent) {
    PortalConfig d = PortalConfig.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (node.isScalar() && node.scalarText().equals("off")) {
      return new PortalConfig(false, false);
    }
    if (!node.isObject()) {
      parent.problems().expected(node, "an object with enabled and sign-up, or off");
      return d;
    }
    ConfigReader r = ConfigReader.of(node, parent.problems());
    boolean enabled = r.bool("enabled", d.enabled());
    boolean signUp = r.bool("sign-up", d.signUp());
    r.finish();
    return new PortalConfig(enabled, signUp);
  }
}
