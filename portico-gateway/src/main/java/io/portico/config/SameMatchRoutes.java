package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds routes that match exactly the same requests with the same priority: the router always picks
 * the one declared first, so the other is never reached, which is a mistake (usually a route copied
 * and not edited). Two routes are the same match when their hosts, paths (as sets, a template's
 * variable names aside), path match, methods, headers (names in any case) and query are equal and
 * so is their priority.
 *
 * <p>One per parse; not thread-safe.
 */
final class SameMatchRoutes {

  /**
   * A template variable, {@code {id}} or {@code {*rest}}: its name does not change what matches.
   */
  private static final Pattern VARIABLE = Pattern.compile("\\{(\\*?)[^{}/]*}");

  /** What the router compares, in a form where equal means "matches the same requests". */
  private record Match(
      Set<String> hosts,
      Set<String> paths,
      String pathMatch,
      Set<String> methods,
      Map<String, String> headers,
      Map<String, String> query,
      int priority) {}

  private record Seen(String name, ConfigNode node) {}

  private final Problems problems;
  private final Map<Match, Seen> seen = new HashMap<>();

  SameMatchRoutes(Problems problems) {
    this.problems = problems;
  }

  /**
   * Records {@code route}, declared at {@code node}; reports it when an earlier route has its
   * match.
   */
  void add(RouteConfig route, ConfigNode node) {
    Set<String> paths = new TreeSet<>();
    for (String p : route.paths()) {
      paths.add(p.startsWith("~") ? p : VARIABLE.matcher(p).replaceAll("{$1}"));
    }
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, String> h : route.headers().entrySet()) {
      headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
    }
    Match match =
        new Match(
            new TreeSet<>(route.hosts()),
            paths,
            route.pathMatch(),
            new TreeSet<>(route.methods()),
            headers,
            new LinkedHashMap<>(route.query()),
            route.priority());
    Seen first = seen.putIfAbsent(match, new Seen(route.name(), node));
    if (first != null) {
      problems.at(
          node,
          "route \""
              + route.name()
              + "\" matches the same requests as route \""
              + first.name()
              + "\" ("
              + first.node().location()
              + ": "
              + first.node().path()
              + "), which is declared first and always wins (expected: hosts, paths, methods,"
              + " headers, query or priority that differ from every other route's)");
    }
  }
}
