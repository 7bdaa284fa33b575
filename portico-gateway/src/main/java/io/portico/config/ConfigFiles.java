package io.portico.config;

import io.portico.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one way into a configuration, shared by {@code portico validate}, {@code portico run},
 * reloads and the admin API: load ({@link ConfigLoader}) then parse ({@link ConfigParser}).
 *
 * <pre>{@code
 * ConfigResult result = ConfigFiles.load(Path.of("portico.yaml"), System.getenv(), registry);
 * if (!result.ok()) {
 *   System.err.print(result.problems().render()); // portico.yaml:14:11: routes[2].paths[0]: ...
 * }
 * }</pre>
 */
public final class ConfigFiles {

  private ConfigFiles() {}

  /**
   * Loads and parses a file. Relative paths in it are resolved against the file's directory.
   *
   * @param env the environment for {@code ${VAR}} interpolation, usually {@code System.getenv()}
   */
  public static ConfigResult load(Path file, Map<String, String> env, PluginRegistry registry) {
    return parse(ConfigLoader.withEnvironment(env).load(file), file, registry);
  }

  /**
   * Parses a document loaded from {@code file}, or built from it (the file with the admin API's
   * objects over it); relative paths are resolved against the file's directory.
   */
  public static ConfigResult parse(LoadResult loaded, Path file, PluginRegistry registry) {
    return parser(file, registry).parse(loaded);
  }

  /**
   * As {@link #parse(LoadResult, Path, PluginRegistry)}, keeping the first {@link
   * ConfigParser#MAX_LISTED} problems and one more and counting the rest: what a report lists, for
   * a document that comes from a client (a write through the admin API).
   */
  public static ConfigResult parseListed(LoadResult loaded, Path file, PluginRegistry registry) {
    return parser(file, registry).keepingProblems(ConfigParser.MAX_LISTED + 1).parse(loaded);
  }

  private static ConfigParser parser(Path file, PluginRegistry registry) {
    Path dir = file.toAbsolutePath().getParent();
    return new ConfigParser(registry, dir == null ? Path.of("").toAbsolutePath() : dir);
  }

  /**
   * Loads and parses a document held in memory, e.g. one posted to the admin API.
   *
   * @param sourceName the name shown in problem locations; a {@code .json} suffix selects JSON
   * @param baseDir the directory against which relative paths are resolved
   */
  public static ConfigResult parse(
      String text,
      String sourceName,
      Path baseDir,
      Map<String, String> env,
      PluginRegistry registry) {
    LoadResult loaded = ConfigLoader.withEnvironment(env).load(text, sourceName);
    return new ConfigParser(registry, baseDir).parse(loaded);
  }
}
