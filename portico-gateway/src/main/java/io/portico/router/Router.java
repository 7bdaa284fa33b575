package io.portico.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The request router: finds the route for a request's host, method, path, headers and query.
 * Compiled once per config snapshot, then immutable.
 *
 * <h2>Flow</h2>
 *
 * <pre>
 *   host ──► strip port, lower-case ──► buckets: exact host │ *.suffix (longest first) │ any host
 *                                                 │
 *   path ──► per bucket: segment trie (literals: hash map per node; one {var} child; {*rest})
 *                        then regex list (only when the bucket has regex routes)
 *                                                 │
 *            best-ranked candidate whose method / header / query conditions hold ──► RouteMatch
 * </pre>
 *
 * <p>Every (route, host pattern, path pattern) combination gets a rank at build time; a request
 * gets the best-ranked combination that matches it. Searching a bucket walks the trie along the
 * path's segments (literal child and variable child), so the cost follows the path's depth and the
 * few patterns sharing its segments, not the number of routes. A literal hit allocates nothing but
 * the returned {@link RouteMatch}, and not even that when the same literal pattern last matched an
 * equal path: the match, immutable, is then given again (so two requests may hold the same one).
 *
 * <h2>Precedence</h2>
 *
 * Among the routes that match a request, the first of these rules that differs decides:
 *
 * <ol>
 *   <li>higher {@link RouteSpec#priority()};
 *   <li>host specificity: exact host, then wildcard hosts (longer suffix first), then routes
 *       without hosts;
 *   <li>path kind: exact path ({@code pathMatch: exact}), then literal prefix (longer first), then
 *       template (more literal segments first, then more segments, then exact before prefix match,
 *       then without catch-all before with), then regex;
 *   <li>more conditions first (a method list counts one, each header and query parameter one);
 *   <li>lower {@link RouteSpec#order()}, then the order of {@link Builder#add} calls.
 * </ol>
 *
 * Conditions filter: when the best candidate for the path fails its method, header or query
 * conditions, the next candidate is tried. For example, with {@code GET /users/{id}} and {@code
 * /users/{*rest}} (any method), {@code POST /users/7} goes to {@code /users/{*rest}}. Note that a
 * literal prefix outranks every template: a prefix route {@code /users} takes {@code /users/7} even
 * when {@code /users/{id}} exists; declare the collection route with exact matching.
 *
 * <h2>Matching</h2>
 *
 * <ul>
 *   <li>Hosts match case-insensitively, without port and trailing dot; {@code *.example.com}
 *       matches {@code a.example.com} and {@code a.b.example.com}, not {@code example.com}.
 *   <li>Literal prefixes match at segment boundaries: {@code /api} matches {@code /api}, {@code
 *       /api/} and {@code /api/x}, not {@code /apix}; {@code /api/} matches {@code /api/} and
 *       {@code /api/x} only; {@code /} matches every path.
 *   <li>A template variable {@code {id}} matches one non-empty segment; a trailing {@code {*rest}}
 *       matches the rest of the path, possibly empty ({@code /files/{*rest}} matches {@code
 *       /files}). Under prefix matching a template may be followed by more segments.
 *   <li>A regex ({@code ~^/v[0-9]+/}) must match at the start of the path (the whole path under
 *       exact matching); named groups become path parameters.
 * </ul>
 *
 * <p>The path must already be normalized by {@link PathNormalizer}; a path not starting with {@code
 * /} matches nothing.
 *
 * <p>Threading: immutable; {@link #match} may be called from any number of threads at once.
 *
 * @param <T> the payload each route carries (for the proxy, its {@code
 *     io.portico.snapshot.CompiledRoute})
 */
public final class Router<T> {

  private static final int HOST_EXACT = Integer.MAX_VALUE;
  private static final int HOST_ANY = -1;

  private final @Nullable SegmentTable<PathIndex> exactHosts;
  private final @Nullable SegmentTable<PathIndex> wildcardHosts;
  private final @Nullable PathIndex anyHost;
  private final int size;
  private final @Nullable LiteralCase literalCase;
  private final Map<RequestTarget.Reason, RouteMatch<T>> refusals;

  private Router(
      @Nullable SegmentTable<PathIndex> exactHosts,
      @Nullable SegmentTable<PathIndex> wildcardHosts,
      @Nullable PathIndex anyHost,
      int size,
      @Nullable LiteralCase literalCase,
      Map<RequestTarget.Reason, RouteMatch<T>> refusals) {
    this.exactHosts = exactHosts;
    this.wildcardHosts = wildcardHosts;
    this.anyHost = anyHost;
    this.size = size;
    this.literalCase = literalCase;
    this.refusals = refusals;
  }

  /** A builder for a router whose routes carry a {@code T}. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** The number of routes. */
  public int size() {
    return size;
  }

  /**
   * Why the strict path policy refuses {@code path} (normalized), or null when it does not, or the
   * policy is off: a segment with a matrix parameter or a dot or whitespace at its end ({@link
   * PathNormalizer#strictRefusal}), or a path that differs only in letter case from a route's
   * literal path ({@link LiteralCase}).
   */
  public RequestTarget.@Nullable Reason refusal(String path) {
    if (literalCase == null || path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    RequestTarget.Reason reason = PathNormalizer.strictRefusal(path);
    if (reason == null && literalCase.isVariant(path)) {
      reason = RequestTarget.Reason.CASE_VARIANT;
    }
    return reason;
  }

  /**
   * Finds the route for a request.
   *
   * @param host the Host header or authority, with or without port; null when absent
   * @param method the request method, e.g. {@code GET}
   * @param path the normalized path, without query
   * @param headers the request headers, or null when there are none
   * @param rawQuery the raw query without {@code ?}, or null when there is none
   * @return the match, or null when no route takes the request; under the strict path policy, a
   *     path it refuses ({@link #refusal}) matches the refusal payload given for its reason to
   *     {@link Builder#strictPaths}
   * @throws PathTooComplexException when a route's regex backtracks past its budget on {@code path}
   */
  public @Nullable RouteMatch<T> match(
      CharSequence host,
      String method,
      String path,
      HttpHeaders headers,
      @Nullable String rawQuery) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    if (literalCase != null) {
      RequestTarget.Reason reason = refusal(path);
      if (reason != null) {
        return refusals.get(reason);
      }
    }
    PathIndex.Entry best = null;
    int bound = Integer.MAX_VALUE;
    int hostEnd = host == null ? 0 : hostEnd(host);
    if (hostEnd > 0) {
      if (exactHosts != null) {
        PathIndex index = exactHosts.get(host, 0, hostEnd);
        if (index != null) {
          best = index.find(path, bound, method, headers, rawQuery);
          if (best != null) {
            bound = best.rank;
          }
        }
      }
      if (wildcardHosts != null) {
        for (int dot = 1; dot < hostEnd; dot++) {
          if (host.charAt(dot) != '.') {
            continue;
          }
          PathIndex index = wildcardHosts.get(host, dot, hostEnd);
          if (index != null) {
            PathIndex.Entry found = index.find(path, bound, method, headers, rawQuery);
            if (found != null) {
              best = found;
              bound = found.rank;
            }
          }
        }
      }
    }
    if (anyHost != null) {
      PathIndex.Entry found = anyHost.find(path, bound, method, headers, rawQuery);
      if (found != null) {
        best = found;
      }
    }
    return best == null ? null : toMatch(best, path);
  }

  /** The methods {@link #allowedMethods} tries, in the order an {@code Allow} lists them. */
  private static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"
  };

  /**
   * The methods for which a route takes a request that {@link #match} matched with none, as an
   * {@code Allow} value ({@code GET, HEAD}), or null when no method would be taken: a 405 rather
   * than a 404 when the path exists under other methods. Runs only for a request no route takes,
   * one {@link #match} per method.
   *
   * @throws PathTooComplexException as {@link #match} does
   */
  public @Nullable String allowedMethods(
      CharSequence host, String path, HttpHeaders headers, @Nullable String rawQuery) {
    StringBuilder allow = null;
    for (String method : METHODS) {
      if (match(host, method, path, headers, rawQuery) != null) {
        allow = allow == null ? new StringBuilder(method) : allow.append(", ").append(method);
      }
    }
    return allow == null ? null : allow.toString();
  }

  @SuppressWarnings("unchecked")
  private RouteMatch<T> toMatch(PathIndex.Entry entry, String path) {
    return entry.path.match((T) entry.route.value, entry.route.spec, path);
  }

  /** The end of the host name in a Host value: before the port and a trailing dot. */
  private static int hostEnd(CharSequence host) {
    int end = host.length();
    if (end > 0 && host.charAt(0) == '[') {
      return 0;
    }
    for (int i = end - 1; i >= 0; i--) {
      char c = host.charAt(i);
      if (c == ':') {
        end = i;
        break;
      }
      if (c < '0' || c > '9') {
        break;
      }
    }
    if (end > 0 && host.charAt(end - 1) == '.') {
      end--;
    }
    return end;
  }

  /**
   * Collects routes, then compiles them into a router. Not thread-safe. Each {@link #build()}
   * compiles the routes added so far.
   *
   * @param <T> the route payload
   */
  public static final class Builder<T> {

    private final List<MatchableRoute> routes = new ArrayList<>();
    private @Nullable Function<RequestTarget.Reason, T> refusal;

    private Builder() {}

    /**
     * Turns the strict path policy on: a path {@link #refusal} refuses matches, instead of any
     * route, the payload {@code refusal} gives for its reason (for the proxy, a route that answers
     * 400), so that a path that is not refused is read the same way by the router and by common
     * upstream servers.
     */
    public Builder<T> strictPaths(Function<RequestTarget.Reason, T> refusal) {
      this.refusal = refusal;
      return this;
    }

    /**
     * Adds a route.
     *
     * @throws IllegalArgumentException when a host or path pattern fails {@link RoutePatterns}
     *     (callers pass only checked patterns)
     */
    public Builder<T> add(RouteSpec spec, T value) {
      for (String host : spec.hosts()) {
        String rule = RoutePatterns.checkHost(host);
        if (rule != null) {
          throw new IllegalArgumentException("host: " + host + " (expected: " + rule + ")");
        }
      }
      routes.add(new MatchableRoute(spec, value, routes.size()));
      return this;
    }

    /** Compiles the routes added so far into a router. */
    public Router<T> build() {
      List<PathIndex.Entry> entries = new ArrayList<>();
      for (MatchableRoute route : routes) {
        List<String> hosts = route.spec.hosts().isEmpty() ? List.of("") : route.spec.hosts();
        for (String host : hosts) {
          String key = host.toLowerCase(Locale.ROOT);
          if (key.startsWith("*.")) {
            key = key.substring(1);
          }
          int hostRank = key.isEmpty() ? HOST_ANY : key.startsWith(".") ? key.length() : HOST_EXACT;
          for (CompiledPath path : route.paths) {
            entries.add(new PathIndex.Entry(route, path, key, hostRank));
          }
        }
      }
      entries.sort(PRECEDENCE);

      Map<String, PathIndex> exact = new LinkedHashMap<>();
      Map<String, PathIndex> wildcard = new LinkedHashMap<>();
      PathIndex any = null;
      for (int rank = 0; rank < entries.size(); rank++) {
        PathIndex.Entry entry = entries.get(rank);
        entry.rank = rank;
        PathIndex index;
        if (entry.hostKey.isEmpty()) {
          if (any == null) {
            any = new PathIndex();
          }
          index = any;
        } else {
          Map<String, PathIndex> bucket = entry.hostKey.startsWith(".") ? wildcard : exact;
          index = bucket.computeIfAbsent(entry.hostKey, k -> new PathIndex());
        }
        index.add(entry);
      }
      for (PathIndex index : exact.values()) {
        index.freeze();
      }
      for (PathIndex index : wildcard.values()) {
        index.freeze();
      }
      if (any != null) {
        any.freeze();
      }
      LiteralCase literalCase = null;
      Map<RequestTarget.Reason, RouteMatch<T>> refusals = new EnumMap<>(RequestTarget.Reason.class);
      if (refusal != null) {
        List<CompiledPath> paths = new ArrayList<>();
        routes.forEach(r -> paths.addAll(r.paths));
        literalCase = new LiteralCase(paths);
        RouteSpec spec =
            new RouteSpec(
                "path-policy",
                List.of(),
                List.of("/"),
                "prefix",
                Set.of(),
                Map.of(),
                Map.of(),
                0,
                0);
        for (RequestTarget.Reason reason : RequestTarget.Reason.values()) {
          refusals.put(
              reason, new RouteMatch<>(refusal.apply(reason), spec, "/", "/", Map.of(), "", 0));
        }
      }
      return new Router<>(
          exact.isEmpty() ? null : new SegmentTable<>(exact, true),
          wildcard.isEmpty() ? null : new SegmentTable<>(wildcard, true),
          any,
          routes.size(),
          literalCase,
          Map.copyOf(refusals));
    }
  }

  /** The precedence rules of the class documentation, best first. */
  static final Comparator<PathIndex.Entry> PRECEDENCE =
      (a, b) -> {
        int c = Integer.compare(b.route.spec.priority(), a.route.spec.priority());
        if (c == 0) {
          c = Integer.compare(b.hostRank, a.hostRank);
        }
        if (c == 0) {
          c = a.path.kind.compareTo(b.path.kind);
        }
        if (c == 0) {
          c = Integer.compare(pathSpecificity(a), pathSpecificity(b));
        }
        if (c == 0) {
          c = Integer.compare(b.route.conditions, a.route.conditions);
        }
        if (c == 0) {
          c = Integer.compare(a.route.spec.order(), b.route.spec.order());
        }
        return c != 0 ? c : Integer.compare(a.route.insertion, b.route.insertion);
      };

  /** Within a path kind, lower is more specific. */
  private static int pathSpecificity(PathIndex.Entry entry) {
    CompiledPath path = entry.path;
    switch (path.kind) {
      case EXACT:
      case PREFIX:
        return -path.source.length();
      case TEMPLATE:
        return -(path.literalSegments * 4096 + path.segments.length) * 4
            + (path.exactMatch ? 0 : 2)
            + (path.catchAll == null ? 0 : 1);
      default:
        return 0;
    }
  }
}
