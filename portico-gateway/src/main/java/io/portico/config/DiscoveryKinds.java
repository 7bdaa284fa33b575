package io.portico.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The endpoint source kinds a config may name, by name. Immutable. The config parser looks a
 * service's {@code discovery} up here; {@link #DEFAULT} is the kind of a service that names none.
 */
public final class DiscoveryKinds {

  /** The kind of a service without {@code discovery}: the targets written in the config. */
  public static final String DEFAULT = "static";

  private static final DiscoveryKinds BUILT_IN = load(DiscoveryKinds.class.getClassLoader());

  private final Map<String, DiscoveryKind<?>> kinds;

  private DiscoveryKinds(Map<String, DiscoveryKind<?>> kinds) {
    this.kinds = kinds;
  }

  /**
   * The kinds that ship with Portico: registered in {@code
   * META-INF/services/io.portico.config.DiscoveryKind} of the gateway (a new kind is one line
   * there), so that the config names kinds without depending on the upstream code that implements
   * them.
   */
  public static DiscoveryKinds builtIn() {
    return BUILT_IN;
  }

  @SuppressWarnings("rawtypes")
  private static DiscoveryKinds load(ClassLoader loader) {
    List<DiscoveryKind<?>> found = new ArrayList<>();
    for (DiscoveryKind kind : ServiceLoader.load(DiscoveryKind.class, loader)) {
      found.add(kind);
    }
    return of(found);
  }

  /**
   * A registry of exactly {@code kinds}, e.g. the built-in ones plus one a test defines.
   *
   * @throws IllegalArgumentException when two kinds share a name
   */
  public static DiscoveryKinds of(List<? extends DiscoveryKind<?>> kinds) {
    Map<String, DiscoveryKind<?>> byName = new LinkedHashMap<>();
    for (DiscoveryKind<?> kind : kinds) {
      if (byName.putIfAbsent(kind.name(), kind) != null) {
        throw new IllegalArgumentException("two endpoint source kinds are named " + kind.name());
      }
    }
    return new DiscoveryKinds(Map.copyOf(byName));
  }

  /** A registry with these kinds and {@code more}. */
  public DiscoveryKinds with(DiscoveryKind<?>... more) {
    List<DiscoveryKind<?>> all = new ArrayList<>(kinds.values());
    all.addAll(List.of(more));
    return of(all);
  }

  /** The kind named {@code name}, or null. */
  public @Nullable DiscoveryKind<?> find(String name) {
    return kinds.get(name);
  }

  public Set<String> names() {
    return new TreeSet<>(kinds.keySet());
  }
}
