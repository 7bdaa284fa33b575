package io.portico.router;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Syntax checks for route patterns, shared by the config parser (to report problems with their
 * place) and the router (which compiles only patterns that passed).
 *
 * <p>Every check returns null when the pattern is valid, else the rule that was expected, to be
 * reported as {@code <path>: <value> (expected: <rule>)}.
 */
public final class RoutePatterns {

  private static final String PATH_RULE = "a path starting with / and balanced braces";
  private static final String HOST_RULE = "a host name such as api.example.com or *.example.com";
  private static final Pattern HOST =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

  private RoutePatterns() {}

  /**
   * Whether a literal segment is a path variable in another router's syntax ({@code :id}, as
   * Express and APISIX write it), which here would match only the literal text {@code :id}.
   */
  private static boolean isColonVariable(String segment) {
    if (segment.length() < 2 || segment.charAt(0) != ':') {
      return false;
    }
    for (int i = 1; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        return false;
      }
    }
    return Character.isLetter(segment.charAt(1)) || segment.charAt(1) == '_';
  }

  /** The rule for {@code /users/:id}: the same template written with braces. */
  private static String colonVariableRule(String pattern) {
    StringBuilder template = new StringBuilder();
    for (String segment : pattern.substring(1).split("/", -1)) {
      template.append('/');
      template.append(isColonVariable(segment) ? "{" + segment.substring(1) + "}" : segment);
    }
    return "a path variable written in braces: \""
        + template
        + "\" (a segment :name matches only that text; a regular expression written ~ matches a"
        + " literal colon)";
  }

  /**
   * Checks a path pattern: {@code /literal}, a template {@code /users/{id}} whose variables fill
   * whole segments (with an optional trailing catch-all {@code /files/{*rest}}), or a regex written
   * {@code ~<regex>}.
   *
   * <p>Literal parts must be able to match a path that {@link PathNormalizer} let through: no empty
   * ({@code //}), {@code .} or {@code ..} segments, no {@code ?}, {@code #}, backslash or control
   * characters, and percent escapes only for characters that stay encoded.
   *
   * @return null when valid, else the rule that was expected, e.g. {@code a path starting with /
   *     and balanced braces}
   */
  public static @Nullable String checkPath(String pattern) {
    if (pattern.startsWith("~")) {
      try {
        Pattern.compile(pattern.substring(1));
        return null;
      } catch (PatternSyntaxException e) {
        return "a valid regular expression after ~ (" + e.getDescription() + ")";
      }
    }
    if (pattern.startsWith("^")) {
      return PATH_RULE + "; a regular expression is written with ~ before it: \"~" + pattern + "\"";
    }
    if (!pattern.startsWith("/") || !balancedBraces(pattern)) {
      if (!pattern.isEmpty() && !pattern.startsWith("/") && balancedBraces(pattern)) {
        String slashed = "/" + pattern;
        if (checkPath(slashed) == null) {
          return PATH_RULE + ": \"" + slashed + "\"";
        }
      }
      return PATH_RULE;
    }
    Set<String> names = new LinkedHashSet<>();
    String[] segments = pattern.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if (segment.isEmpty() && !last) {
        return "a path without empty segments (//)";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "a path without . or .. segments";
      }
      if (segment.indexOf('{') >= 0) {
        String rule = checkVariableSegment(segment, last, names);
        if (rule != null) {
          return rule;
        }
      } else {
        String rule = checkLiteral(segment);
        if (rule != null) {
          return rule;
        }
        if (isColonVariable(segment)) {
          return colonVariableRule(pattern);
        }
      }
    }
    return null;
  }

  /**
   * Checks a host pattern: a host name, or {@code *.} followed by a host name.
   *
   * @return null when valid, else the rule that was expected
   */
  public static @Nullable String checkHost(String pattern) {
    String host = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
    if (host.isEmpty() || !HOST.matcher(host).matches()) {
      return HOST_RULE;
    }
    return null;
  }

  /**
   * Checks a rewrite-path template ({@code /v2/users/{id}}) against the path patterns of its route:
   * it must start with {@code /}, use {@code {name}} or {@code {*name}} variables, and every
   * variable must be captured by every one of {@code paths} (template variables or named groups of
   * a regex), so that {@link PathTemplate#expand} never lacks a value.
   *
   * @param paths the route's path patterns, each already valid per {@link #checkPath}
   * @return null when valid, else the rule that was expected
   */
  public static @Nullable String checkRewritePath(String rewrite, List<String> paths) {
    String rule = checkRewriteSyntax(rewrite);
    if (rule != null) {
      return rule;
    }
    Set<String> variables = capturedVariables(rewrite);
    for (String path : paths.isEmpty() ? List.of("/") : paths) {
      Set<String> captured = capturedVariables(path);
      for (String variable : variables) {
        if (!captured.contains(variable)) {
          return "variables captured by every path of the route ({"
              + variable
              + "} is not captured by "
              + path
              + ")";
        }
      }
    }
    return null;
  }

  /** The syntax half of {@link #checkRewritePath}: null when valid, else the rule. */
  static @Nullable String checkRewriteSyntax(String rewrite) {
    if (!rewrite.startsWith("/") || !balancedBraces(rewrite)) {
      return PATH_RULE;
    }
    int i = 0;
    while (i < rewrite.length()) {
      char c = rewrite.charAt(i);
      if (c == '{') {
        int close = rewrite.indexOf('}', i);
        String name = rewrite.substring(rewrite.startsWith("{*", i) ? i + 2 : i + 1, close);
        if (!isName(name)) {
          return "variable names of letters, digits and _ not starting with a digit, such as {id}";
        }
        i = close + 1;
        continue;
      }
      if (c == '?' || c == '#' || c == '\\' || c <= ' ' || c >= 0x7F) {
        return "printable ASCII path characters without \\, ? or #";
      }
      i++;
    }
    return null;
  }

  /**
   * The names a valid path pattern captures: template variables in order, or the named groups of a
   * regex.
   */
  static Set<String> capturedVariables(String pattern) {
    Set<String> names = new LinkedHashSet<>();
    if (pattern.startsWith("~")) {
      collectGroupNames(pattern.substring(1), names);
      return names;
    }
    int i = pattern.indexOf('{');
    while (i >= 0) {
      int close = pattern.indexOf('}', i);
      names.add(pattern.substring(pattern.startsWith("{*", i) ? i + 2 : i + 1, close));
      i = pattern.indexOf('{', close);
    }
    return names;
  }

  /** Named groups {@code (?<name>...)} of a regex, skipping escapes and character classes. */
  static void collectGroupNames(String regex, Set<String> names) {
    int classDepth = 0;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        classDepth++;
      } else if (c == ']' && classDepth > 0) {
        classDepth--;
      } else if (classDepth == 0
          && regex.startsWith("(?<", i)
          && i + 3 < regex.length()
          && regex.charAt(i + 3) != '='
          && regex.charAt(i + 3) != '!') {
        int close = regex.indexOf('>', i + 3);
        if (close > 0) {
          names.add(regex.substring(i + 3, close));
        }
      }
    }
  }

  static boolean isName(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c == '_'
          || (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean balancedBraces(String pattern) {
    int depth = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
      if (depth < 0 || depth > 1) {
        return false;
      }
    }
    return depth == 0;
  }

  private static @Nullable String checkVariableSegment(
      String segment, boolean last, Set<String> names) {
    if (!segment.startsWith("{") || !segment.endsWith("}")) {
      return "variables that fill a whole segment, such as /users/{id}";
    }
    boolean catchAll = segment.startsWith("{*");
    String name = segment.substring(catchAll ? 2 : 1, segment.length() - 1);
    if (!isName(name)) {
      return "variable names of letters, digits and _ not starting with a digit, such as {id}";
    }
    if (catchAll && !last) {
      return "a catch-all {*name} only as the last segment";
    }
    if (!names.add(name)) {
      return "distinct variable names ({" + name + "} repeats)";
    }
    return null;
  }

  private static @Nullable String checkLiteral(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        int value =
            i + 2 < segment.length()
                ? PathNormalizer.hexPair(segment.charAt(i + 1), segment.charAt(i + 2))
                : -1;
        if (value < 0 || value == '/' || PathNormalizer.isUnreserved(value)) {
          return "percent escapes %XX that encode neither / nor an unreserved character";
        }
        i += 2;
      } else if (c == '?' || c == '#' || c == '\\' || c <= ' ' || c >= 0x7F) {
        return "printable ASCII path characters without \\, ? or #";
      }
    }
    return null;
  }
}
