package io.portico.config;

import io.portico.spi.config.Suggestions;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The config file a user most likely meant when the one named cannot be read: {@code portico.yml}
 * beside a missing {@code portico.yaml}, {@code portico.yaml} for {@code portico}, the config
 * inside a directory given instead of a file. Only YAML and JSON files are offered, and a directory
 * is looked at only as far as {@link #MAX_ENTRIES} entries.
 */
public final class NearbyFile {

  private static final int MAX_ENTRIES = 1000;
  private static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");

  private NearbyFile() {}

  /** {@code ; did you mean portico.yml?} for a file that does not exist, or empty. */
  public static String hint(Path missing) {
    Path name = missing.getFileName();
    Path dir = missing.toAbsolutePath().getParent();
    if (name == null || dir == null) {
      return "";
    }
    List<String> candidates = configs(dir);
    String given = name.toString();
    @Nullable String best = Suggestions.closest(given, candidates);
    if (best == null) {
      best = sameStem(given, candidates);
    }
    return best == null ? "" : "; did you mean " + missing.resolveSibling(best) + "?";
  }

  /** {@code ; did you mean conf/portico.yaml?} for a directory given as the file, or empty. */
  static String inDirectory(Path dir) {
    List<String> candidates = configs(dir);
    String pick =
        candidates.contains("portico.yaml")
            ? "portico.yaml"
            : candidates.size() == 1 ? candidates.get(0) : null;
    return pick == null
        ? "; a directory was given: name the config file in it"
        : "; did you mean " + dir.resolve(pick) + "?";
  }

  /** The one candidate that is {@code given} with an extension added or changed, or null. */
  private static @Nullable String sameStem(String given, List<String> candidates) {
    String stem = stem(given);
    @Nullable String found = null;
    for (String c : candidates) {
      if (stem(c).equals(stem)) {
        if (found != null) {
          return null;
        }
        found = c;
      }
    }
    return found;
  }

  private static String stem(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String ext : EXTENSIONS) {
      if (lower.endsWith(ext)) {
        return lower.substring(0, lower.length() - ext.length());
      }
    }
    return lower;
  }

  private static List<String> configs(Path dir) {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      int seen = 0;
      for (Path entry : entries) {
        if (++seen > MAX_ENTRIES) {
          break;
        }
        String name = entry.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (EXTENSIONS.stream().anyMatch(lower::endsWith) && Files.isRegularFile(entry)) {
          names.add(name);
        }
      }
    } catch (IOException | SecurityException e) {
      return List.of(); // an unreadable directory offers nothing
    }
    names.sort(null);
    return names;
  }
}
