package io.portico.cli;

import io.portico.config.ConfigLoader;
import io.portico.spi.config.ConfigNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds where a value is written in a config file, for an error found after the config was accepted
 * (an address that cannot be bound): {@code portico.yaml:2:14}.
 */
final class ConfigPlaces {

  private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)((?:\\[\\d+])*)");
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

  private ConfigPlaces() {}

  /**
   * The node at {@code path} ({@code listeners[1].address}) of the file, read with {@code env};
   * null when the file does not hold that key (a default applies) or cannot be read.
   */
  static @Nullable ConfigNode find(Path file, Map<String, String> env, String path) {
    ConfigNode node = ConfigLoader.withEnvironment(env).load(file).root();
    for (String part : path.split("\\.")) {
      Matcher m = SEGMENT.matcher(part);
      if (node == null || !node.isObject() || !m.matches()) {
        return null;
      }
      node = node.fields().get(m.group(1));
      Matcher index = INDEX.matcher(m.group(2));
      while (node != null && index.find()) {
        int i = Integer.parseInt(index.group(1));
        node = node.isList() && i < node.items().size() ? node.items().get(i) : null;
      }
    }
    return node;
  }
}
