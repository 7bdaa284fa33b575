package io.portico.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The endpoint source kinds a config may name, by name. Immutable. The config parser looks a
 * service's {@code discovery} up here; {@link #DEFAULT} is the kind of a service that names none.
 */
public final class EndpointSourceKinds {

  /** The kind of a service without {@code discovery}: the targets written in the config. */
  public static final String DEFAULT = StaticEndpointSourceKind.NAME;

  private static final EndpointSourceKinds BUILT_IN = of(List.of(new StaticEndpointSourceKind()));

  private final Map<String, EndpointSourceKind<?>> kinds;

  private EndpointSourceKinds(Map<String, EndpointSourceKind<?>> kinds) {
    this.kinds = kinds;
  }

  /** The kinds that ship with Portico. A new kind is registered here. */
  public static EndpointSourceKinds builtIn() {
    return BUILT_IN;
  }

  /**
   * A registry of exactly {@code kinds}, e.g. the built-in ones plus one a test defines.
   *
   * @throws IllegalArgumentException when two kinds share a name
   */
  public static EndpointSourceKinds of(List<? extends EndpointSourceKind<?>> kinds) {
    Map<String, EndpointSourceKind<?>> byName = new LinkedHashMap<>();
    for (EndpointSourceKind<?> kind : kinds) {
      if (byName.putIfAbsent(kind.name(), kind) != null) {
        throw new IllegalArgumentException("two endpoint source kinds are named " + kind.name());
      }
    }
    return new EndpointSourceKinds(Map.copyOf(byName));
  }

  /** A registry with these kinds and {@code more}. */
  public EndpointSourceKinds with(EndpointSourceKind<?>... more) {
    List<EndpointSourceKind<?>> all = new ArrayList<>(kinds.values());
    all.addAll(List.of(more));
    return of(all);
  }

  /** The kind named {@code name}, or null. */
  public EndpointSourceKind<?> find(String name) {
    return kinds.get(name);
  }

  public Set<String> names() {
    return new TreeSet<>(kinds.keySet());
  }
}
