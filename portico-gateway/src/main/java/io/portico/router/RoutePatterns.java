package io.portico.router;

/**
 * Syntax checks for route patterns, shared by the config parser (to report problems with their
 * place) and the router (which compiles only patterns that passed).
 */
public final class RoutePatterns {

  private RoutePatterns() {}

  /**
   * Checks a path pattern: {@code /literal}, a template {@code /users/{id}}, or a regex written
   * {@code ~<regex>}.
   *
   * @return null when valid, else the rule that was expected, e.g. {@code a path starting with /
   *     and balanced braces}
   */
  public static String checkPath(String pattern) {
    if (pattern.startsWith("~")) {
      try {
        java.util.regex.Pattern.compile(pattern.substring(1));
        return null;
      } catch (java.util.regex.PatternSyntaxException e) {
        return "a valid regular expression after ~ (" + e.getDescription() + ")";
      }
    }
    if (!pattern.startsWith("/")) {
      return "a path starting with / and balanced braces";
    }
    int depth = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
      if (depth < 0 || depth > 1) {
        return "a path starting with / and balanced braces";
      }
    }
    return depth == 0 ? null : "a path starting with / and balanced braces";
  }

  /**
   * Checks a host pattern: a host name, or {@code *.} followed by a host name.
   *
   * @return null when valid, else the rule that was expected
   */
  public static String checkHost(String pattern) {
    String host = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
    if (host.isEmpty()
        || !host.matches(
            "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
      return "a host name such as api.example.com or *.example.com";
    }
    return null;
  }
}
