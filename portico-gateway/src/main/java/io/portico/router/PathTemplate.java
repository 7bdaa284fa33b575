package io.portico.router;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rewrite-path template such as {@code /v2/users/{id}}, parsed once at config load and filled per
 * request from {@link RouteMatch#pathParameters()}.
 *
 * <p>Variables are written {@code {name}} or {@code {*name}} (the same thing here) and may stand
 * anywhere. Values are inserted as captured, that is still percent-encoded as in the normalized
 * request path, so expansion never re-encodes. A variable without a value expands to nothing;
 * {@link RoutePatterns#checkRewritePath} rejects templates where that could happen.
 *
 * <p>Immutable and thread-safe.
 */
public final class PathTemplate {

  private final String source;
  private final String[] literals;
  private final String[] names;

  private PathTemplate(String source, String[] literals, String[] names) {
    this.source = source;
    this.literals = literals;
    this.names = names;
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException when the template fails {@link RoutePatterns#checkRewritePath}
   *     syntax (callers pass only checked templates)
   */
  public static PathTemplate of(String template) {
    String rule = RoutePatterns.checkRewriteSyntax(template);
    if (rule != null) {
      throw new IllegalArgumentException("rewritePath: " + template + " (expected: " + rule + ")");
    }
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int from = 0;
    int open = template.indexOf('{');
    while (open >= 0) {
      int close = template.indexOf('}', open);
      literals.add(template.substring(from, open));
      names.add(template.substring(template.startsWith("{*", open) ? open + 2 : open + 1, close));
      from = close + 1;
      open = template.indexOf('{', from);
    }
    literals.add(template.substring(from));
    return new PathTemplate(
        template, literals.toArray(new String[0]), names.toArray(new String[0]));
  }

  /** Fills the template from {@code parameters}. */
  public String expand(Map<String, String> parameters) {
    if (names.length == 0) {
      return literals[0];
    }
    StringBuilder out = new StringBuilder(source.length() + 16);
    for (int i = 0; i < names.length; i++) {
      out.append(literals[i]);
      String value = parameters.get(names[i]);
      if (value != null) {
        out.append(value);
      }
    }
    return out.append(literals[names.length]).toString();
  }

  /** The variable names, in order of first use. */
  public Set<String> variables() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
  }

  /** The template as written. */
  @Override
  public String toString() {
    return source;
  }
}
