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
 * <p>A node with few children is searched without copying the request's segment: its spellings
 * compared in place, when the segment and they are ASCII.
 *
 * <p>Immutable once built; thread-safe.
 */
final class LiteralCase {

  private static final class Node {
    final Map<String, Map<String, Node>> children = new HashMap<>();

    /** Every child's exact spelling, beside its node: the lookup that copies no segment. */
    String[] spellings = new String[0];

    Node[] next = new Node[0];

    /** Whether every spelling is ASCII, where ignoring case is comparing lower-cased copies. */
    boolean ascii = true;

    void freeze() {
      int n = 0;
      for (Map<String, Node> group : children.values()) {
        n += group.size();
      }
      spellings = new String[n];
      next = new Node[n];
      int i = 0;
      for (Map<String, Node> group : children.values()) {
        for (Map.Entry<String, Node> child : group.entrySet()) {
          spellings[i] = child.getKey();
          next[i] = child.getValue();
          ascii &= isAscii(child.getKey(), 0, child.getKey().length());
          child.getValue().freeze();
          i++;
        }
      }
    }
  }

  /** The most spellings of a node compared one by one; a node with more is looked up by hash. */
  private static final int SCANNED = 16;

  private final Node root = new Node();

  LiteralCase(List<CompiledPath> paths) {
    for (CompiledPath path : paths) {
      add(literalSegments(path));
    }
    root.freeze();
  }

  private static boolean isAscii(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
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
      if (node.ascii && node.spellings.length <= SCANNED && isAscii(path, start, end)) {
        // Without copies: ASCII letters are the same ignoring case exactly when their lower-cased
        // copies are equal.
        Node exact = null;
        boolean variant = false;
        int length = end - start;
        for (int i = 0; i < node.spellings.length && exact == null; i++) {
          String spelling = node.spellings[i];
          if (spelling.length() == length) {
            if (path.regionMatches(start, spelling, 0, length)) {
              exact = node.next[i];
            } else if (!variant) {
              variant = path.regionMatches(true, start, spelling, 0, length);
            }
          }
        }
        if (exact == null) {
          return variant;
        }
        node = exact;
        start = end + 1;
        continue;
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
