package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the section parsers of one parse share: its {@link Problems}, the directory relative paths
 * are resolved against, and the readers of shapes that recur across sections (names, lists, strings
 * fit for a header, durations, sizes, readable files, bind addresses). Each reader records what is
 * wrong where it is wrong and returns a neutral value, so parsing goes on.
 */
class SectionReaders {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  final Problems problems;
  final Path baseDir;

  SectionReaders(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  @Nullable InetSocketAddress bindAddress(ConfigNode node) {
    if (!node.isScalar()) {
      problems.expected(node, Addresses.BIND_RULE);
      return null;
    }
    InetSocketAddress address = Addresses.bindAddress(node.scalarText());
    if (address == null) {
      problems.expected(node, Addresses.BIND_RULE + Addresses.bindHint(node.scalarText()));
    }
    return address;
  }

  boolean isOff(ConfigNode node) {
    return node.isScalar() && node.scalarText().equals("off");
  }

  /** The items of a list node; null reads as empty, anything else is reported. */
  List<ConfigNode> listOf(@Nullable ConfigNode node, String expected) {
    if (node == null) {
      return List.of();
    }
    if (!node.isList()) {
      problems.expected(node, expected);
      return List.of();
    }
    return node.items();
  }

  /** The scalar items of a list of strings (a lone scalar counts as one item). */
  List<ConfigNode> stringItems(ConfigReader r, String key) {
    ConfigNode node = r.child(key);
    if (node == null) {
      return List.of();
    }
    if (node.isScalar()) {
      return List.of(node);
    }
    if (!node.isList()) {
      problems.expected(node, "a list of strings");
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>();
    for (ConfigNode item : node.items()) {
      if (item.isScalar()) {
        out.add(item);
      } else {
        problems.expected(item, "a string");
      }
    }
    return out;
  }

  @Nullable String name(ConfigNode node) {
    if (!node.isScalar() || !NAME.matcher(node.text()).matches()) {
      problems.expected(node, ConfigParser.NAME_RULE);
      return null;
    }
    return node.scalarText();
  }

  void unique(Map<String, ConfigNode> seen, @Nullable String name, ConfigNode node, String what) {
    if (name == null) {
      return;
    }
    ConfigNode first = seen.putIfAbsent(name, node);
    if (first != null) {
      problems.expected(node, "a " + what + " name not used before; " + first.path() + " has it");
    }
  }

  /**
   * Whether a scalar can travel in a header (a consumer's name, id and groups are forwarded
   * upstream): no control character but HTAB.
   */
  boolean headerSafe(String text) {
    return text.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F);
  }

  /**
   * Records {@code message} against the value of {@code key}, or against {@code r}'s object when
   * the key is absent (as {@link ConfigReader#expected} does for a rule).
   */
  static void at(ConfigReader r, String key, String message) {
    ConfigNode child = r.node().fields().get(key);
    r.problems().at(child == null ? r.node() : child, message);
  }

  /** Records {@code rule} as expected at {@code node} when it is not null. */
  boolean checked(ConfigNode node, @Nullable String rule) {
    if (rule != null) {
      problems.expected(node, rule);
      return false;
    }
    return true;
  }

  Duration positiveDuration(ConfigReader r, String key, Duration defaultValue) {
    return r.duration(key, defaultValue, Duration.ofMillis(1), ConfigReader.MAX_DURATION);
  }

  /** A size that fits an {@code int}: from {@code min} bytes to 1g. */
  int intSize(ConfigReader r, String key, int defaultValue, int min) {
    return (int) r.size(key, defaultValue, min, 1L << 30);
  }

  @Nullable Path readableFile(@Nullable ConfigNode node) {
    return readableFile(node, "");
  }

  /**
   * The readable file {@code node} names, or null after recording why not; {@code whenMissing} is
   * appended to the problem of a file that does not exist (how to make one).
   */
  @Nullable Path readableFile(@Nullable ConfigNode node, String whenMissing) {
    if (node == null) {
      return null;
    }
    if (!node.isScalar() || node.scalarText().isEmpty()) {
      problems.expected(node, "a file path");
      return null;
    }
    Path file = baseDir.resolve(node.text()).normalize();
    String reason =
        !Files.exists(file)
            ? " does not exist"
            : !Files.isRegularFile(file)
                ? " is not a file"
                : !Files.isReadable(file) ? " is not readable" : null;
    if (reason != null) {
      problems.expected(
          node,
          "a readable PEM file; "
              + file
              + reason
              + (reason.equals(" does not exist") ? whenMissing : ""));
      return null;
    }
    return file;
  }

  /**
   * The service {@code node} names, or null after recording the problem at {@code node}: the
   * defined names listed, and the closest one suggested. An absent node reads as null.
   */
  static @Nullable String serviceReference(
      @Nullable ConfigNode node, Set<String> serviceNames, Problems problems) {
    if (node == null) {
      return null;
    }
    String service = node.isScalar() ? node.text() : null;
    if (service != null && serviceNames.contains(service)) {
      return service;
    }
    String hint = service == null ? null : Suggestions.closest(service, serviceNames);
    problems.at(
        node,
        node.describe()
            + " (expected: the name of a service"
            + (serviceNames.isEmpty()
                ? "; none is defined"
                : ": " + String.join(", ", serviceNames))
            + ")"
            + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
    return null;
  }
}
