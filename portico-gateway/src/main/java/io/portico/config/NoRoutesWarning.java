package io.portico.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The warning for a config that routes nothing: an empty file, or one without routes, is valid (the
 * gateway starts, and routes can come later from the file or the admin API), but every request is
 * then answered 404, which a new user would not expect. {@code validate} prints it after the valid
 * line, {@code run} in its banner, and a reload that applies such a config logs it and returns it
 * among the reload's warnings ({@code POST /reload}); none of them fails. It names what to add,
 * with a route to copy, and where the docs are.
 */
public final class NoRoutesWarning {

  private NoRoutesWarning() {}

  /**
   * The warning's lines for {@code config} loaded from {@code file}, or null when it has routes.
   */
  public static @Nullable String of(GatewayConfig config, Path file) {
    if (!config.routes().isEmpty()) {
      return null;
    }
    String what = isEmpty(file) ? "the config file is empty and has no routes" : "no routes";
    return "warning: "
        + what
        + ", so every request is answered 404 (no_route). Add a route under routes:, such as\n"
        + "    routes:\n"
        + "      - name: hello\n"
        + "        paths: [ /hello ]\n"
        + "        plugins: { mock: { body: \"Hello\" } }\n"
        + "  or a service and a route that proxies to it (docs/configuration.md, docs/routing.md),"
        + " or add routes through the admin API (POST /routes) or the console.";
  }

  /** Whether the file holds nothing but blank lines and comments. */
  private static boolean isEmpty(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#") && !t.equals("---") && !t.equals("{}")) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
