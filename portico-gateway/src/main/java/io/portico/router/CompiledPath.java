package io.portico.router;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One path pattern compiled for the router: its kind, its segments for the trie, and how to extract
 * parameters and the matched prefix once it has won.
 *
 * <p>Paths split into segments after the leading slash: {@code /} is one empty segment, {@code
 * /api/} is {@code api} then an empty one. A prefix pattern ending in a slash keeps its segments
 * but the last (empty) one and requires the path to go on after them ({@link #needsMore}).
 */
final class CompiledPath {

  /** Path kinds in precedence order (declaration order of the constants). */
  enum Kind {
    EXACT,
    PREFIX,
    TEMPLATE,
    REGEX
  }

  final String source;
  final Kind kind;
  final boolean exactMatch;

  /** Trie segments: a literal, or null for a one-segment variable. Empty for regex. */
  final @Nullable String[] segments;

  /** Variable names of the null segments, in order. */
  final String[] names;

  /** The catch-all variable's name, or null. */
  final @Nullable String catchAll;

  /** Whether a prefix pattern written with a trailing slash needs more path after its segments. */
  final boolean needsMore;

  final int literalSegments;

  /**
   * For literal kinds, the matched prefix (the pattern without its trailing slash); empty for the
   * others.
   */
  final String literalPrefix;

  /** The compiled regular expression of a regex pattern; null for the other kinds. */
  final @Nullable Pattern regex;

  /** A literal every path the regex can match starts with, or the empty string. */
  final String regexLiteral;

  final String[] groupNames;

  /**
   * The last match built for this literal pattern (exact or prefix), given again for the next
   * request with an equal path: a literal match depends only on the pattern, its route and the
   * path, so an equal path gets an equal match, and a path that keeps coming (one per request on a
   * busy route) costs no allocation. Null for the other kinds, and until the first match.
   *
   * <p>Threading: a plain field that the event loops of every connection read and write without
   * locks. A {@link RouteMatch} is a record, whose fields are final, so a loop that reads another
   * loop's match sees it fully built; a lost write only costs the next request a new match. Only a
   * miss writes, so loops that see the same paths share the line read-only.
   */
  private @Nullable RouteMatch<?> lastLiteral;

  private CompiledPath(
      String source,
      Kind kind,
      boolean exactMatch,
      @Nullable String[] segments,
      String[] names,
      @Nullable String catchAll,
      boolean needsMore,
      @Nullable Pattern regex,
      String[] groupNames) {
    this.source = source;
    this.kind = kind;
    this.exactMatch = exactMatch;
    this.segments = segments;
    this.names = names;
    this.catchAll = catchAll;
    this.needsMore = needsMore;
    int literals = 0;
    for (String segment : segments) {
      if (segment != null) {
        literals++;
      }
    }
    this.literalSegments = literals;
    this.literalPrefix =
        kind == Kind.EXACT || kind == Kind.PREFIX
            ? (source.endsWith("/") ? source.substring(0, source.length() - 1) : source)
            : "";
    this.regex = regex;
    this.regexLiteral = regex == null ? "" : literalPrefixOf(source.substring(1));
    this.groupNames = groupNames;
  }

  /**
   * Compiles a pattern that passed {@link RoutePatterns#checkPath}.
   *
   * @throws IllegalArgumentException when it did not
   */
  static CompiledPath of(String pattern, boolean exactMatch) {
    String rule = RoutePatterns.checkPath(pattern);
    if (rule != null) {
      throw new IllegalArgumentException("path: " + pattern + " (expected: " + rule + ")");
    }
    if (pattern.startsWith("~")) {
      Set<String> groups = new LinkedHashSet<>();
      RoutePatterns.collectGroupNames(pattern.substring(1), groups);
      return new CompiledPath(
          pattern,
          Kind.REGEX,
          exactMatch,
          new String[0],
          new String[0],
          null,
          false,
          Pattern.compile(pattern.substring(1)),
          groups.toArray(new String[0]));
    }
    List<String> parts = new ArrayList<>(List.of(pattern.substring(1).split("/", -1)));
    String catchAll = null;
    String last = parts.get(parts.size() - 1);
    if (last.startsWith("{*")) {
      catchAll = last.substring(2, last.length() - 1);
      parts.remove(parts.size() - 1);
    }
    boolean needsMore = false;
    if (catchAll == null && !exactMatch && last.isEmpty()) {
      needsMore = true;
      parts.remove(parts.size() - 1);
    }
    List<String> names = new ArrayList<>();
    @Nullable String[] segments = new String[parts.size()];
    boolean template = catchAll != null;
    for (int i = 0; i < segments.length; i++) {
      String part = parts.get(i);
      if (part.startsWith("{")) {
        names.add(part.substring(1, part.length() - 1));
        template = true;
      } else {
        segments[i] = part;
      }
    }
    Kind kind = template ? Kind.TEMPLATE : exactMatch ? Kind.EXACT : Kind.PREFIX;
    return new CompiledPath(
        pattern,
        kind,
        exactMatch,
        segments,
        names.toArray(new String[0]),
        catchAll,
        needsMore,
        null,
        new String[0]);
  }

  /**
   * Whether a regex pattern matches {@code path} (anchored at its start; whole when exact).
   *
   * @throws PathTooComplexException when the regex reads the path past {@link BoundedPath#READS}
   */
  boolean regexMatches(String path) {
    if (!path.startsWith(regexLiteral)) {
      return false;
    }
    Matcher matcher = regexOf().matcher(new BoundedPath(path));
    return exactMatch ? matcher.matches() : matcher.lookingAt();
  }

  /**
   * Builds the match of this (winning) pattern against {@code path}, or, for a literal pattern,
   * gives again the last one built when its path equals {@code path} ({@link #lastLiteral}). {@code
   * value} and {@code spec} are those of the route this pattern belongs to, the same at every call.
   */
  @SuppressWarnings("unchecked")
  <T> RouteMatch<T> match(T value, RouteSpec spec, String path) {
    switch (kind) {
      case EXACT:
      case PREFIX:
        RouteMatch<?> last = lastLiteral;
        if (last != null && last.path().equals(path)) {
          return (RouteMatch<T>) last;
        }
        RouteMatch<T> made =
            new RouteMatch<>(
                value,
                spec,
                source,
                path,
                Map.of(),
                literalPrefix,
                exactMatch ? path.length() : literalPrefix.length());
        lastLiteral = made;
        return made;
      case TEMPLATE:
        return matchTemplate(value, spec, path);
      default:
        return matchRegex(value, spec, path);
    }
  }

  private <T> RouteMatch<T> matchTemplate(T value, RouteSpec spec, String path) {
    Map<String, String> parameters = new LinkedHashMap<>();
    int position = 0;
    int variable = 0;
    for (String segment : segments) {
      int start = position + 1;
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      if (segment == null) {
        parameters.put(names[variable++], path.substring(start, end));
      }
      position = end;
    }
    if (catchAll != null) {
      parameters.put(catchAll, position < path.length() ? path.substring(position + 1) : "");
    }
    int prefixEnd = position > 0 && path.charAt(position - 1) == '/' ? position - 1 : position;
    return new RouteMatch<>(
        value,
        spec,
        source,
        path,
        Collections.unmodifiableMap(parameters),
        path.substring(0, prefixEnd),
        exactMatch || catchAll != null ? path.length() : prefixEnd);
  }

  private <T> RouteMatch<T> matchRegex(T value, RouteSpec spec, String path) {
    Matcher matcher = regexOf().matcher(new BoundedPath(path));
    if (!(exactMatch ? matcher.matches() : matcher.lookingAt())) {
      throw new IllegalStateException("regex " + source + " no longer matches " + path);
    }
    Map<String, String> parameters = Map.of();
    if (groupNames.length > 0) {
      parameters = new LinkedHashMap<>();
      for (String name : groupNames) {
        String group = matcher.group(name);
        if (group != null) {
          parameters.put(name, group);
        }
      }
      parameters = Collections.unmodifiableMap(parameters);
    }
    int end = matcher.end();
    if (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return new RouteMatch<>(
        value,
        spec,
        source,
        path,
        parameters,
        path.substring(0, end),
        exactMatch ? path.length() : end);
  }

  private Pattern regexOf() {
    if (regex == null) {
      throw new IllegalStateException("not a regex pattern: " + source);
    }
    return regex;
  }

  /**
   * The literal that starts every match of {@code regex} at index 0, used to skip the regex
   * cheaply: the characters after an optional {@code ^} up to the first metacharacter, minus the
   * last one when a quantifier follows. Empty when the regex has an alternation or starts with
   * anything else.
   */
  static String literalPrefixOf(String regex) {
    if (regex.indexOf('|') >= 0) {
      return "";
    }
    int start = regex.startsWith("^") ? 1 : 0;
    int end = start;
    while (end < regex.length() && "\\[](){}.*+?^$|".indexOf(regex.charAt(end)) < 0) {
      end++;
    }
    if (end < regex.length() && "?*{".indexOf(regex.charAt(end)) >= 0 && end > start) {
      end--;
    }
    return regex.substring(start, end);
  }
}
