package io.portico.router;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a route matches, as the router compiles it. Patterns must already have passed {@link
 * RoutePatterns#checkPath} and {@link RoutePatterns#checkHost}.
 *
 * @param name the route's name, for logs and the admin API
 * @param hosts host patterns, exact ({@code api.example.com}) or wildcard ({@code *.example.com},
 *     any depth of subdomain, not the bare domain); empty = any host
 * @param paths path patterns: literal {@code /api}, template {@code /users/{id}} or {@code
 *     /files/{*rest}}, or regex {@code ~^/v[0-9]+/}; empty = any path (as {@code /} prefix)
 * @param pathMatch {@link #PREFIX} (default when null) or {@link #EXACT}
 * @param methods upper-case method names; empty = any
 * @param headers required header values: case-insensitive name, exact value (any of the header's
 *     values)
 * @param query required query parameters: exact decoded value, or a null value for presence
 * @param priority higher wins before any other rule
 * @param order the declaration index in the config; lower wins when everything else ties
 */
public record RouteSpec(
    String name,
    List<String> hosts,
    List<String> paths,
    String pathMatch,
    Set<String> methods,
    Map<String, String> headers,
    Map<String, String> query,
    int priority,
    int order) {

  /** Paths match as segment-aware prefixes. */
  public static final String PREFIX = "prefix";

  /** Paths match only whole. */
  public static final String EXACT = "exact";

  public RouteSpec {
    Objects.requireNonNull(name, "name");
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    paths = paths == null ? List.of() : List.copyOf(paths);
    pathMatch = pathMatch == null ? PREFIX : pathMatch;
    if (!pathMatch.equals(PREFIX) && !pathMatch.equals(EXACT)) {
      throw new IllegalArgumentException(
          "pathMatch: " + pathMatch + " (expected: " + PREFIX + " or " + EXACT + ")");
    }
    methods =
        methods == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(methods));
    headers =
        headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    query = query == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(query));
  }

  /** Whether paths match only whole. */
  public boolean exact() {
    return pathMatch.equals(EXACT);
  }

  /** A builder for a spec named {@code name}: any host, any path, any method, priority 0. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link RouteSpec} field by field. */
  public static final class Builder {
    private final String name;
    private final List<String> hosts = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();
    private String pathMatch = PREFIX;
    private final Set<String> methods = new LinkedHashSet<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> query = new LinkedHashMap<>();
    private int priority;
    private int order;

    private Builder(String name) {
      this.name = name;
    }

    public Builder hosts(String... hosts) {
      this.hosts.addAll(List.of(hosts));
      return this;
    }

    public Builder paths(String... paths) {
      this.paths.addAll(List.of(paths));
      return this;
    }

    /** Match paths whole instead of as prefixes. */
    public Builder exact() {
      this.pathMatch = EXACT;
      return this;
    }

    public Builder methods(String... methods) {
      this.methods.addAll(List.of(methods));
      return this;
    }

    public Builder header(String name, String value) {
      this.headers.put(name, value);
      return this;
    }

    /** Requires query parameter {@code name} with {@code value}, or just present when null. */
    public Builder query(String name, String value) {
      this.query.put(name, value);
      return this;
    }

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder order(int order) {
      this.order = order;
      return this;
    }

    public RouteSpec build() {
      return new RouteSpec(name, hosts, paths, pathMatch, methods, headers, query, priority, order);
    }
  }
}
