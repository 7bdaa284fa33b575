package io.portico.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The paths of one host bucket: literal and template patterns in a segment trie, regex patterns in
 * a list. Entries carry a global rank (0 = best, see {@link Router}); a search returns the
 * best-ranked entry that matches the path and accepts the request, pruning every list and subtree
 * that cannot beat the best found so far.
 *
 * <p>Built single-threaded by {@link Router.Builder}, then only read.
 */
final class PathIndex {

  /** One (route, host pattern, path pattern) combination. */
  static final class Entry {
    final MatchableRoute route;
    final CompiledPath path;

    /** The host bucket: a lower-case host, {@code .suffix} for a wildcard, or empty for any. */
    final String hostKey;

    /** Host specificity: higher is more specific. */
    final int hostRank;

    /** The position in precedence order over the whole router, 0 = best; set once when built. */
    int rank;

    Entry(MatchableRoute route, CompiledPath path, String hostKey, int hostRank) {
      this.route = route;
      this.path = path;
      this.hostKey = hostKey;
      this.hostRank = hostRank;
    }
  }

  private static final Entry[] NONE = new Entry[0];

  /** A trie node: the patterns that end after the segments leading to it, and its children. */
  static final class Node {
    private Map<String, Node> literalChildren = new LinkedHashMap<>();
    private @Nullable SegmentTable<Node> literals;
    private @Nullable Node param;
    private List<Entry> exactList = new ArrayList<>();
    private List<Entry> prefixList = new ArrayList<>();
    private List<Entry> moreList = new ArrayList<>();
    private List<Entry> catchAllList = new ArrayList<>();

    /** Patterns matching when the path ends here. */
    private Entry[] exact = NONE;

    /** Patterns matching when the path ends here or goes on. */
    private Entry[] prefix = NONE;

    /** Patterns matching when the path goes on after this node. */
    private Entry[] more = NONE;

    /** Catch-all patterns rooted here: match whatever follows. */
    private Entry[] catchAll = NONE;

    private int minRank = Integer.MAX_VALUE;

    private int freeze() {
      exact = toArray(exactList);
      prefix = toArray(prefixList);
      more = toArray(moreList);
      catchAll = toArray(catchAllList);
      exactList = prefixList = moreList = catchAllList = List.of();
      minRank =
          Math.min(Math.min(first(exact), first(prefix)), Math.min(first(more), first(catchAll)));
      if (!literalChildren.isEmpty()) {
        for (Node child : literalChildren.values()) {
          minRank = Math.min(minRank, child.freeze());
        }
        literals = new SegmentTable<>(literalChildren, false);
      }
      literalChildren = Map.of();
      if (param != null) {
        minRank = Math.min(minRank, param.freeze());
      }
      return minRank;
    }
  }

  private final Node root = new Node();
  private final List<Entry> regexList = new ArrayList<>();
  private Entry[] regex = NONE;
  private int minRank;

  /** Adds an entry; entries must be added in rank order so that every list stays sorted. */
  void add(Entry entry) {
    CompiledPath path = entry.path;
    if (path.kind == CompiledPath.Kind.REGEX) {
      regexList.add(entry);
      return;
    }
    Node node = root;
    for (String segment : path.segments) {
      if (segment == null) {
        if (node.param == null) {
          node.param = new Node();
        }
        node = node.param;
      } else {
        node = node.literalChildren.computeIfAbsent(segment, s -> new Node());
      }
    }
    if (path.catchAll != null) {
      node.catchAllList.add(entry);
    } else if (path.exactMatch) {
      node.exactList.add(entry);
    } else if (path.needsMore) {
      node.moreList.add(entry);
    } else {
      node.prefixList.add(entry);
    }
  }

  /** Ends building; returns the best rank in this index. */
  int freeze() {
    regex = toArray(regexList);
    minRank = Math.min(root.freeze(), first(regex));
    return minRank;
  }

  /**
   * The best entry with a rank below {@code bound} that matches {@code path} and accepts the
   * request, or null.
   */
  @Nullable Entry find(
      String path, int bound, String method, HttpHeaders headers, @Nullable String rawQuery) {
    if (minRank >= bound) {
      return null;
    }
    Entry best = walk(root, path, 0, bound, method, headers, rawQuery);
    if (best != null) {
      bound = best.rank;
    }
    for (Entry entry : regex) {
      if (entry.rank >= bound) {
        break;
      }
      if (entry.route.accepts(method, headers, rawQuery) && entry.path.regexMatches(path)) {
        return entry;
      }
    }
    return best;
  }

  /**
   * Searches below {@code node}, which stands for the path's segments up to {@code next}: the
   * path's length when it ends there, else the index of the {@code /} that starts the next segment.
   */
  private static @Nullable Entry walk(
      Node node,
      String path,
      int next,
      int bound,
      String method,
      HttpHeaders headers,
      @Nullable String rawQuery) {
    if (node.minRank >= bound) {
      return null;
    }
    Entry best = null;
    Entry found;
    int length = path.length();
    boolean more = next < length;
    if (!more && (found = first(node.exact, bound, method, headers, rawQuery)) != null) {
      best = found;
      bound = found.rank;
    }
    if ((found = first(node.prefix, bound, method, headers, rawQuery)) != null) {
      best = found;
      bound = found.rank;
    }
    if (more && (found = first(node.more, bound, method, headers, rawQuery)) != null) {
      best = found;
      bound = found.rank;
    }
    if ((found = first(node.catchAll, bound, method, headers, rawQuery)) != null) {
      best = found;
      bound = found.rank;
    }
    if (!more) {
      return best;
    }
    int start = next + 1;
    int end = path.indexOf('/', start);
    if (end < 0) {
      end = length;
    }
    if (node.literals != null) {
      Node child = node.literals.get(path, start, end);
      if (child != null
          && (found = walk(child, path, end, bound, method, headers, rawQuery)) != null) {
        best = found;
        bound = found.rank;
      }
    }
    if (node.param != null
        && end > start
        && (found = walk(node.param, path, end, bound, method, headers, rawQuery)) != null) {
      best = found;
    }
    return best;
  }

  private static @Nullable Entry first(
      Entry[] entries, int bound, String method, HttpHeaders headers, @Nullable String rawQuery) {
    for (Entry entry : entries) {
      if (entry.rank >= bound) {
        return null;
      }
      if (entry.route.accepts(method, headers, rawQuery)) {
        return entry;
      }
    }
    return null;
  }

  private static int first(Entry[] entries) {
    return entries.length == 0 ? Integer.MAX_VALUE : entries[0].rank;
  }

  private static Entry[] toArray(List<Entry> entries) {
    return entries.isEmpty() ? NONE : entries.toArray(NONE);
  }
}
