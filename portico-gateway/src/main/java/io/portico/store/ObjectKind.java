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
  PLUGINS,
  /** The AI gateway's providers, {@code ai.providers} in the config, at {@code /ai-providers}. */
  AI_PROVIDERS,
  /** The AI gateway's models (routing and fallback), {@code ai.models}, at {@code /ai-models}. */
  AI_MODELS;

  /** The admin path segment and stored name: {@code services}, {@code routes}, ... */
  public String section() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The top-level config section holding the objects: the {@link #section} itself, or {@code ai}
   * for the AI kinds, whose list is its {@link #field}.
   */
  public String topLevel() {
    return this == AI_PROVIDERS || this == AI_MODELS ? "ai" : section();
  }

  /** The list inside {@link #topLevel} ({@code providers}, {@code models}), or null when none. */
  public @Nullable String field() {
    return switch (this) {
      case AI_PROVIDERS -> "providers";
      case AI_MODELS -> "models";
      default -> null;
    };
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
