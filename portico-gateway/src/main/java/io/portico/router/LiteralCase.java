package io.portico.router;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The literal leading segments of every route path, to find request paths that differ from one of
 * them only in letter case: {@code /ADMIN/users} when a route has {@code /admin}. A case-sensitive
 * router does not take such a path for the route, but a case-insensitive upstream (IIS, ASP.NET,
 * anything on a case-insensitive file system) serves it as that route's path, past whatever the
 * route guards; so the strict path policy refuses it.
 *
 * <p>A trie over the literal segments, keyed by their lower-cased text and then by their exact
 * text: a request segment found lower-cased but not exactly is a case variant. A path that also
 * matches a literal segment exactly (routes {@code /api} and {@code /API} both exist) is not.
 * Literal segments are those of literal paths, those of templates before their first variable, and
 * the whole segments a regex path starts with. Hosts are not considered: a case variant of any
 * route's path is refused on every host.
 *
 * <p>Immutable once built; thread-safe.
 */
final class LiteralCase {

  private static final class Node {
    final Map<String, Map<String, Node>> children = new HashMap<>();
  }

  private final Node root = new Node();

  LiteralCase(List<CompiledPath> paths) {
    for (CompiledPath path : paths) {
      add(literalSegments(path));
    }
  }

  private static String[] literalSegments(CompiledPath path) {
    if (path.kind == CompiledPath.Kind.REGEX) {
      String literal = path.regexLiteral;
      int lastSlash = literal.lastIndexOf('/');
      return lastSlash <= 0 ? new String[0] : literal.substring(1, lastSlash).split("/");
    }
    int n = 0;
    while (n < path.segments.length && path.segments[n] != null) {
      n++;
    }
    String[] out = new String[n];
    System.arraycopy(path.segments, 0, out, 0, n);
    return out;
  }

  private void add(String[] segments) {
    Node node = root;
    for (String segment : segments) {
      if (segment.isEmpty()) {
        break;
      }
      node =
          node.children
              .computeIfAbsent(segment.toLowerCase(Locale.ROOT), k -> new HashMap<>())
              .computeIfAbsent(segment, k -> new Node());
    }
  }

  /** Whether {@code path} (normalized) differs only in case from a route's literal segments. */
  boolean isVariant(String path) {
    Node node = root;
    int start = 1;
    while (start < path.length() && !node.children.isEmpty()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String segment = path.substring(start, end);
      Map<String, Node> spellings = node.children.get(segment.toLowerCase(Locale.ROOT));
      if (spellings == null) {
        return false;
      }
      node = spellings.get(segment);
      if (node == null) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }
}
