package io.portico.spi.config;

/**
 * One configuration error: where it is and what was expected.
 *
 * <p>Rendered as {@code portico.yaml:14:11: routes[2].paths[0]: "users/{id" (expected: a path
 * starting with / and balanced braces)}.
 */
public record Problem(Location location, String path, String message) {

  @Override
  public String toString() {
    String where = location.line() > 0 ? location + ": " : "";
    return where + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
