package io.portico.plugin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.PluginFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The plugin factories known to the gateway, by their stable {@link PluginFactory#name()}.
 *
 * <p>Factories are found with {@link ServiceLoader} ({@code
 * META-INF/services/io.portico.spi.plugin.PluginFactory}): the built-in ones on the class path by
 * {@link #load(ClassLoader)}, plus those in the jars of a plugin directory by {@link #load(Path,
 * ClassLoader)} or {@link #withPluginDir(Path)}. There is no discovery by class name. Two factories
 * with the same name make loading fail with a {@link PluginLoadException} naming both classes,
 * since which one a config meant cannot be known.
 *
 * <p>How the config parser uses a factory, for each {@code name: config} entry of a {@code plugins}
 * map (global, service or route):
 *
 * <pre>{@code
 * PluginFactory<?> factory = registry.find(name);   // unknown name: a problem with "did you mean"
 * ConfigReader reader = ConfigReader.of(node, problems);
 * Object config = factory.parse(reader);
 * reader.finish();                                  // done by the parser, not the factory
 * if (problems were recorded) config = null;        // never used, whatever parse returned
 * }</pre>
 *
 * <p>The parser calls {@link ConfigReader#finish()} after {@link PluginFactory#parse} returns, so
 * factories need not: every key the factory did not read is reported as unknown, with a "did you
 * mean". A factory that calls {@code finish()} itself does no harm (the parser reports each problem
 * once). A factory that throws is reported as a problem at its config node; it never stops the
 * load.
 *
 * <p>Immutable and safe to share between threads. A registry loaded from a plugin directory owns
 * the class loader of its jars, which stays open as long as plugins from it may run.
 */
public final class PluginRegistry {

  private final Map<String, PluginFactory<?>> factories;
  private final ClassLoader classLoader;

  private PluginRegistry(Map<String, PluginFactory<?>> factories, ClassLoader classLoader) {
    this.factories = Collections.unmodifiableMap(factories);
    this.classLoader = classLoader;
  }

  /**
   * The factories registered with {@link ServiceLoader} and visible to {@code loader}.
   *
   * @throws PluginLoadException when two factories share a name or a provider cannot be created
   */
  public static PluginRegistry load(ClassLoader loader) {
    List<PluginFactory<?>> found = new ArrayList<>();
    try {
      for (PluginFactory<?> factory : ServiceLoader.load(PluginFactory.class, loader)) {
        found.add(factory);
      }
    } catch (ServiceConfigurationError e) {
      throw new PluginLoadException("a plugin factory could not be loaded: " + e.getMessage(), e);
    }
    return new PluginRegistry(byName(found), loader);
  }

  /**
   * The factories visible to {@code parent} plus those in every {@code *.jar} of {@code pluginDir},
   * loaded with a class loader whose parent is {@code parent}.
   *
   * @throws PluginLoadException when the directory cannot be listed, two factories share a name, or
   *     a provider cannot be created
   */
  public static PluginRegistry load(Path pluginDir, ClassLoader parent) {
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> entries = Files.list(pluginDir)) {
      for (Path jar : entries.filter(PluginRegistry::isJar).sorted().toList()) {
        jars.add(jar.toUri().toURL());
      }
    } catch (IOException e) {
      throw new PluginLoadException(
          pluginDir + ": cannot list the plugin directory (" + e + ")", e);
    }
    if (jars.isEmpty()) {
      return load(parent);
    }
    URLClassLoader loader = new URLClassLoader("portico-plugins", jars.toArray(new URL[0]), parent);
    try {
      return load(loader);
    } catch (PluginLoadException e) {
      try {
        loader.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * This registry plus the factories in every {@code *.jar} of {@code pluginDir}, whose class
   * loader's parent is this registry's.
   *
   * @throws PluginLoadException when the directory cannot be listed, a jar's factory has the name
   *     of another factory, or a provider cannot be created
   */
  public PluginRegistry withPluginDir(Path pluginDir) {
    PluginRegistry fromDir = load(pluginDir, classLoader);
    List<PluginFactory<?>> merged = new ArrayList<>(factories.values());
    Set<Class<?>> known = new HashSet<>();
    for (PluginFactory<?> factory : factories.values()) {
      known.add(factory.getClass());
    }
    for (PluginFactory<?> factory : fromDir.factories.values()) {
      if (!known.contains(factory.getClass())) {
        merged.add(factory);
      }
    }
    return new PluginRegistry(byName(merged), fromDir.classLoader);
  }

  /**
   * This registry plus {@code more} (tests and embedding): a factory of {@code more} replaces a
   * registered factory of the same class, so a test can pass its own instance of a factory that the
   * class path also registers.
   *
   * @throws PluginLoadException when a factory of {@code more} has the name of another factory
   */
  public PluginRegistry with(Collection<? extends PluginFactory<?>> more) {
    Set<Class<?>> given = new HashSet<>();
    for (PluginFactory<?> factory : more) {
      given.add(factory.getClass());
    }
    List<PluginFactory<?>> merged = new ArrayList<>();
    for (PluginFactory<?> factory : factories.values()) {
      if (!given.contains(factory.getClass())) {
        merged.add(factory);
      }
    }
    merged.addAll(more);
    return new PluginRegistry(byName(merged), classLoader);
  }

  /** A registry of exactly these factories (tests and embedding). */
  public static PluginRegistry of(Collection<? extends PluginFactory<?>> factories) {
    return new PluginRegistry(
        byName(new ArrayList<>(factories)), PluginRegistry.class.getClassLoader());
  }

  /** The factory registered under {@code name}, or null. */
  public @Nullable PluginFactory<?> find(String name) {
    return factories.get(name);
  }

  /** Every registered name, sorted. */
  public Set<String> names() {
    return factories.keySet();
  }

  /** The class loader the factories were found with; the parent for a plugin directory. */
  public ClassLoader classLoader() {
    return classLoader;
  }

  private static boolean isJar(Path path) {
    return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
  }

  private static Map<String, PluginFactory<?>> byName(List<PluginFactory<?>> found) {
    Map<String, PluginFactory<?>> byName = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    for (PluginFactory<?> factory : found) {
      PluginFactory<?> previous = byName.putIfAbsent(factory.name(), factory);
      if (previous != null) {
        duplicates.add(
            "\""
                + factory.name()
                + "\" by "
                + previous.getClass().getName()
                + " and "
                + factory.getClass().getName()
                + where(factory));
      }
    }
    if (!duplicates.isEmpty()) {
      throw new PluginLoadException(
          "plugin names: "
              + String.join("; ", duplicates)
              + " (expected: each plugin name registered once)");
    }
    return byName;
  }

  private static String where(PluginFactory<?> factory) {
    var source = factory.getClass().getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return "";
    }
    try {
      return " (" + Path.of(source.getLocation().toURI()).getFileName() + ")";
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return "";
    }
  }
}
