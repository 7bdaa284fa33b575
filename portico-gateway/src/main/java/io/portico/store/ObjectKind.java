package io.portico.store;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The kinds of config object the admin API writes, each a top-level section of the config: a list
 * of objects with a {@code name} ({@code services}, {@code routes}, {@code consumers}) or the map
 * of global plugins keyed by plugin name ({@code plugins}).
 */
public enum ObjectKind {
  SERVICES,
  ROUTES,
  CONSUMERS,
  PLUGINS;

  /** The config section and admin path segment: {@code services}, {@code routes}, ... */
  public String section() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the section is a list of named objects (else a map keyed by name). */
  public boolean listed() {
    return this != PLUGINS;
  }

  /** The kind whose section is {@code section}, or null. */
  public static @Nullable ObjectKind ofSection(String section) {
    for (ObjectKind k : values()) {
      if (k.section().equals(section)) {
        return k;
      }
    }
    return null;
  }
}
