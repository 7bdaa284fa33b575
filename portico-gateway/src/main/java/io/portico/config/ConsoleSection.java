package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code admin.console} into a {@link ConsoleConfig}: {@code off} or {@code enabled: false}
 * turns the console and its accounts off; the session timeouts are bounded so that a session cannot
 * outlive a week, and idle expiry cannot exceed the absolute one.
 */
final class ConsoleSection {

  private ConsoleSection() {}

  static ConsoleConfig parse(@Nullable ConfigNode node, ConfigReader parent) {
    ConsoleConfig d = ConsoleConfig.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (node.isScalar() && node.scalarText().equals("off")) {
      return new ConsoleConfig(
          false, d.sessionIdle(), d.sessionMax(), d.secureCookie(), d.setupLinkTtl());
    }
    if (!node.isObject()) {
      parent.problems().expected(node, "an object with session-idle, session-max, ..., or off");
      return d;
    }
    ConfigReader r = ConfigReader.of(node, parent.problems());
    boolean enabled = r.bool("enabled", d.enabled());
    Duration idle =
        r.duration("session-idle", d.sessionIdle(), Duration.ofMinutes(1), Duration.ofDays(7));
    Duration max =
        r.duration("session-max", d.sessionMax(), Duration.ofMinutes(1), Duration.ofDays(7));
    boolean secure = r.bool("secure-cookie", d.secureCookie());
    Duration setup =
        r.duration("setup-link-ttl", d.setupLinkTtl(), Duration.ofMinutes(1), Duration.ofDays(7));
    if (idle.compareTo(max) > 0) {
      r.expected("session-idle", "a duration no longer than session-max");
    }
    r.finish();
    return new ConsoleConfig(enabled, idle, max, secure, setup);
  }
}
