package io.portico.spi.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jetbrains.annotations.Contract;
import org.jspecify.annotations.Nullable;

/**
 * Reads one configuration object into typed values, recording every problem instead of throwing.
 *
 * <p>Typical use, in a plugin factory or the gateway's own config parser:
 *
 * <pre>{@code
 * ConfigReader r = ConfigReader.of(node, problems);
 * String header = r.string("header", "X-Request-Id");
 * Duration ttl = r.duration("ttl", Duration.ofSeconds(5));
 * r.finish(); // every key not read above is reported as unknown, with a "did you mean"
 * }</pre>
 *
 * <p>When a value is missing or invalid the problem is recorded and the default (or a neutral
 * value) is returned, so parsing goes on and every error of a document is found in one pass. Hence
 * a reader given a non-null default never returns null: the {@code @Contract("_, !null -> !null")}
 * on those methods tells NullAway so, and a caller needs no null check.
 *
 * <p>Every number is range-checked and never overflows: integers within the bounds the caller
 * gives, durations within [0, {@link #MAX_DURATION}] (or narrower bounds), sizes within [0, {@link
 * #MAX_SIZE}] (or narrower bounds). A value with more digits than a {@code long} holds, or whose
 * unit would carry it past those bounds ({@code 17179869184g}), is reported like any other value
 * out of range, never wrapped and never thrown.
 */
public final class ConfigReader {

  /**
   * The longest duration a config value may hold (a year): long enough for any timeout, TTL or
   * window, short enough that every duration converts to nanoseconds without overflow.
   */
  public static final Duration MAX_DURATION = Duration.ofDays(365);

  /** The largest size a config value may hold: 1024g (1 TiB). */
  public static final long MAX_SIZE = 1L << 40;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  private final ConfigNode node;
  private final Problems problems;
  private final Set<String> read = new HashSet<>();

  /**
   * The unknown keys {@link #finish} reported, so that a second call reports none of them again.
   */
  private final Set<String> reported = new HashSet<>();

  /** The required keys found missing, with the problem recorded for each (see {@link #finish}). */
  private final Map<String, Missing> missing = new java.util.LinkedHashMap<>();

  /** A required key found missing: the problem recorded and what the key should hold. */
  private record Missing(Problem problem, String expected) {}

  private ConfigReader(ConfigNode node, Problems problems) {
    this.node = node;
    this.problems = problems;
  }

  /**
   * A reader over {@code node}. A null node reads as an empty object; any other non-object is
   * reported and also read as empty.
   */
  public static ConfigReader of(ConfigNode node, Problems problems) {
    if (!node.isObject() && !node.isNull()) {
      problems.expected(node, "an object");
      return new ConfigReader(ConfigNode.emptyObject(node.path(), node.location()), problems);
    }
    if (node.isNull()) {
      return new ConfigReader(ConfigNode.emptyObject(node.path(), node.location()), problems);
    }
    return new ConfigReader(node, problems);
  }

  public ConfigNode node() {
    return node;
  }

  public Problems problems() {
    return problems;
  }

  /** Whether the key is present (and not null). Marks it as read. */
  public boolean has(String key) {
    read.add(key);
    ConfigNode child = node.fields().get(key);
    return child != null && !child.isNull();
  }

  /** The raw child node, or null when absent. Marks it as read. */
  public @Nullable ConfigNode child(String key) {
    read.add(key);
    ConfigNode child = node.fields().get(key);
    return child == null || child.isNull() ? null : child;
  }

  /** A required child of any kind; reports {@code missing} when absent. */
  public @Nullable ConfigNode required(String key, String expected) {
    ConfigNode child = child(key);
    if (child == null) {
      Problem problem =
          new Problem(node.location(), node.childPath(key), "missing (expected: " + expected + ")");
      problems.add(problem);
      missing.put(key, new Missing(problem, expected));
    }
    return child;
  }

  /** A nested object reader; absent reads as an empty object. */
  /**
   * Records {@code expected: rule} against the value of {@code key}, or against this object when
   * the key is absent (a rule that involves several keys, or a value that another key makes wrong).
   */
  public void expected(String key, String rule) {
    ConfigNode child = node.fields().get(key);
    problems.expected(child == null ? node : child, rule);
  }

  public ConfigReader object(String key) {
    ConfigNode child = child(key);
    return child == null
        ? new ConfigReader(ConfigNode.emptyObject(node.childPath(key), node.location()), problems)
        : of(child, problems);
  }

  /**
   * As {@link #object(String)}, with an example of the object in the problem when the key holds
   * something else, such as {@code timeouts: 5}: {@code an object, such as timeouts: {...}}.
   */
  public ConfigReader object(String key, String example) {
    ConfigNode child = child(key);
    if (child != null && !child.isObject() && !child.isNull()) {
      problems.expected(child, "an object, such as " + key + ": " + example);
      return new ConfigReader(ConfigNode.emptyObject(child.path(), child.location()), problems);
    }
    return object(key);
  }

  /** The items of a list; absent reads as empty, a scalar is reported. */
  public List<ConfigNode> list(String key) {
    ConfigNode child = child(key);
    if (child == null) {
      return List.of();
    }
    if (!child.isList()) {
      problems.expected(child, "a list");
      return List.of();
    }
    return child.items();
  }

  @Contract("_, !null -> !null")
  public @Nullable String string(String key, @Nullable String defaultValue) {
    ConfigNode child = child(key);
    return child == null ? defaultValue : asString(child, defaultValue);
  }

  /** A required string; reports and returns null when missing. */
  public @Nullable String requiredString(String key, String expected) {
    ConfigNode child = required(key, expected);
    return child == null ? null : asString(child, null);
  }

  /** One of a closed set of lower-case words. */
  @Contract("_, !null, _ -> !null")
  public @Nullable String oneOf(String key, @Nullable String defaultValue, List<String> allowed) {
    ConfigNode child = child(key);
    if (child == null) {
      return defaultValue;
    }
    String value = asString(child, defaultValue);
    if (value != null && !allowed.contains(value)) {
      String suggestion = Suggestions.closest(value, allowed);
      problems.at(
          child,
          child.describe()
              + " (expected: one of "
              + String.join(", ", allowed)
              + ")"
              + (suggestion == null ? "" : "; did you mean \"" + suggestion + "\"?"));
      return defaultValue;
    }
    return value;
  }

  public List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    ConfigNode child = child(key);
    if (child == null) {
      return out;
    }
    if (child.isScalar()) {
      out.add(child.text());
      return out;
    }
    if (!child.isList()) {
      problems.expected(child, "a list of strings");
      return out;
    }
    for (ConfigNode item : child.items()) {
      String s = asString(item, null);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /** A map of string to string (e.g. headers to set). */
  public Map<String, String> stringMap(String key) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    ConfigNode child = child(key);
    if (child == null) {
      return out;
    }
    if (!child.isObject()) {
      problems.expected(child, "an object of name: value");
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : child.fields().entrySet()) {
      String v = asString(e.getValue(), null);
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  public boolean bool(String key, boolean defaultValue) {
    ConfigNode child = child(key);
    if (child == null) {
      return defaultValue;
    }
    if (child.isScalar()) {
      String t = scalarText(child).toLowerCase(Locale.ROOT);
      if (t.equals("true")) {
        return true;
      }
      if (t.equals("false")) {
        return false;
      }
    }
    problems.expected(child, "true or false");
    return defaultValue;
  }

  /** An integer within [min, max]. */
  public int integer(String key, int defaultValue, int min, int max) {
    return (int) longValue(key, defaultValue, min, max);
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    ConfigNode child = child(key);
    if (child == null) {
      return defaultValue;
    }
    String rule = "an integer from " + min + " to " + max;
    if (!child.isScalar()) {
      problems.expected(child, rule);
      return defaultValue;
    }
    try {
      long v = Long.parseLong(scalarText(child).trim());
      if (v < min || v > max) {
        problems.expected(child, rule);
        return defaultValue;
      }
      return v;
    } catch (NumberFormatException e) {
      problems.expected(child, rule);
      return defaultValue;
    }
  }

  /**
   * A duration such as {@code 250ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d}, from zero to
   * {@link #MAX_DURATION}.
   */
  @Contract("_, !null -> !null")
  public @Nullable Duration duration(String key, @Nullable Duration defaultValue) {
    return duration(key, defaultValue, Duration.ZERO, MAX_DURATION);
  }

  /**
   * A duration within [min, max] (max at most {@link #MAX_DURATION}); out of range, reported as
   * {@code a duration from <min> to <max>}.
   */
  @Contract("_, !null, _, _ -> !null")
  public @Nullable Duration duration(
      String key, @Nullable Duration defaultValue, Duration min, Duration max) {
    ConfigNode child = child(key);
    if (child == null) {
      return defaultValue;
    }
    if (!child.isScalar() || !DURATION.matcher(scalarText(child).trim()).matches()) {
      String fix = child.isScalar() ? DurationHint.of(scalarText(child)) : null;
      problems.expected(
          child, "a duration such as 250ms, 5s, 1m, 2h or 1d" + (fix == null ? "" : fix));
      return defaultValue;
    }
    Duration d = parseDuration(scalarText(child));
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.expected(
          child, "a duration from " + formatDuration(min) + " to " + formatDuration(max));
      return defaultValue;
    }
    return d;
  }

  /**
   * A size in bytes such as {@code 8192}, {@code 64k}, {@code 10MiB}, {@code 1g}, from zero to
   * {@link #MAX_SIZE}.
   */
  public long size(String key, long defaultValue) {
    return size(key, defaultValue, 0, MAX_SIZE);
  }

  /**
   * A size in bytes within [min, max] (max at most {@link #MAX_SIZE}); out of range, reported as
   * {@code a size from <min> to <max>}.
   */
  public long size(String key, long defaultValue, long min, long max) {
    ConfigNode child = child(key);
    if (child == null) {
      return defaultValue;
    }
    if (!child.isScalar() || !SIZE.matcher(scalarText(child).trim()).matches()) {
      String fix = child.isScalar() ? SizeHint.of(scalarText(child)) : null;
      problems.expected(child, "a size such as 8192, 64k, 10MiB or 1g" + (fix == null ? "" : fix));
      return defaultValue;
    }
    long v = parseSize(scalarText(child));
    if (v < min || v > max) {
      problems.expected(child, "a size from " + formatSize(min) + " to " + formatSize(max));
      return defaultValue;
    }
    return v;
  }

  /**
   * Parses one value with a custom parser that returns null for invalid input; reports {@code
   * expected} on failure.
   */
  @Contract("_, !null, _, _ -> !null")
  public <T> @Nullable T value(
      String key,
      @Nullable T defaultValue,
      String expected,
      BiFunction<String, ConfigNode, @Nullable T> parser) {
    ConfigNode child = child(key);
    if (child == null) {
      return defaultValue;
    }
    if (!child.isScalar()) {
      problems.expected(child, expected);
      return defaultValue;
    }
    T v = parser.apply(child.text(), child);
    if (v == null) {
      problems.expected(child, expected);
      return defaultValue;
    }
    return v;
  }

  /**
   * Reports every key of this object that was not read, at the key's line and column, with the
   * Portico form when it is a key of another gateway's config ({@link ForeignKeys}), else the
   * closest known key as a suggestion. Call after reading every supported key.
   *
   * <p>An unknown key that is a misspelling of a required key found missing ({@code adress} for
   * {@code address}) is one problem, not two: the missing-key problem {@link #required} recorded is
   * withdrawn and folded into the unknown key's, which names both ({@code unknown key "adress"; did
   * you mean "address"? (the required key "address" is missing; expected: ...)}); so is a key of
   * another gateway's config that the required key replaces ({@code port} for a listener's {@code
   * address}), with the Portico form. Calling it again (a plugin factory that finishes its reader
   * before the parser does) reports no key twice.
   */
  public void finish() {
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      if (read.contains(e.getKey()) || !reported.add(e.getKey())) {
        continue;
      }
      if (problems.full()) {
        problems.countNotKept(1); // no suggestions worked out for a problem nobody will read
        continue;
      }
      String foreign = ForeignKeys.hint(e.getKey(), read, e.getValue());
      String replaced = ForeignKeys.replacement(e.getKey(), read);
      String misspelt =
          replaced != null && missing.containsKey(replaced)
              ? replaced
              : Suggestions.closest(e.getKey(), missing.keySet());
      Missing folded = misspelt == null ? null : missing.remove(misspelt);
      if (misspelt != null && folded != null && problems.withdraw(folded.problem())) {
        // A rule that already says how to write the foreign key needs no second copy of it.
        String form =
            foreign == null ? null : foreign.startsWith("write ") ? foreign.substring(6) : foreign;
        boolean ruleSaysHow = form != null && folded.expected().contains(form);
        String fix =
            !misspelt.equals(replaced)
                ? "; did you mean \"" + misspelt + "\"?"
                : foreign != null && !ruleSaysHow ? "; " + foreign : "";
        problems.atKey(
            node,
            e.getKey(),
            "unknown key \""
                + e.getKey()
                + "\""
                + fix
                + " (the required key \""
                + misspelt
                + "\" is missing; expected: "
                + folded.expected()
                + ")");
        continue;
      }
      String suggestion = foreign == null ? Suggestions.closest(e.getKey(), read) : null;
      String hint =
          foreign != null
              ? "; " + foreign
              : suggestion == null ? "" : "; did you mean \"" + suggestion + "\"?";
      problems.atKey(
          node,
          e.getKey(),
          "unknown key \""
              + e.getKey()
              + "\" (expected one of: "
              + String.join(", ", new java.util.TreeSet<>(read))
              + ")"
              + hint);
    }
  }

  private @Nullable String asString(ConfigNode child, @Nullable String defaultValue) {
    if (!child.isScalar()) {
      problems.expected(child, "a string");
      return defaultValue;
    }
    return scalarText(child);
  }

  /** The text of a node already checked to be a scalar (a scalar always has text). */
  private static String scalarText(ConfigNode scalar) {
    return scalar.scalarText();
  }

  /**
   * Parses {@code 250ms}/{@code 5s}/{@code 1m}/{@code 2h}/{@code 1d}; null when invalid or longer
   * than {@link #MAX_DURATION} (so that every duration read converts to nanoseconds).
   */
  public static @Nullable Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long unitMillis =
        switch (m.group(2)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> 86_400_000;
        };
    long millis = times(m.group(1), unitMillis);
    return millis < 0 || millis > MAX_DURATION.toMillis() ? null : Duration.ofMillis(millis);
  }

  /** Parses a byte size; -1 when invalid or above {@link #MAX_SIZE}. Units are binary: k = 1024. */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long multiplier =
        switch (unit.charAt(0)) {
          case 'k' -> 1L << 10;
          case 'm' -> 1L << 20;
          case 'g' -> 1L << 30;
          default -> 1;
        };
    long v = times(m.group(1), multiplier);
    return v > MAX_SIZE ? -1 : v;
  }

  /** {@code digits} times {@code unit}; -1 when either the number or the product overflows. */
  private static long times(String digits, long unit) {
    try {
      return Math.multiplyExact(Long.parseLong(digits), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }

  /** A duration as a config value: {@code 0ms}, {@code 250ms}, {@code 10s}, {@code 365d}. */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0ms";
    }
    long[] units = {86_400_000, 3_600_000, 60_000, 1000, 1};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms + "ms";
  }

  /**
   * A size for a message: {@code 0}, {@code 1 byte}, {@code 256 bytes}, {@code 64k}, {@code 1024g}.
   */
  public static String formatSize(long bytes) {
    String units = inUnits(bytes);
    if (units != null) {
      return units;
    }
    return bytes == 1 ? "1 byte" : bytes + " bytes";
  }

  /**
   * A size in the largest unit that divides it ({@code 0}, {@code 64k}, {@code 1536k}, {@code
   * 10m}), as a config file writes it; null when no unit divides it.
   */
  static @Nullable String inUnits(long bytes) {
    if (bytes == 0) {
      return "0";
    }
    long[] units = {1L << 30, 1L << 20, 1L << 10};
    String[] names = {"g", "m", "k"};
    for (int i = 0; i < units.length; i++) {
      if (bytes % units[i] == 0) {
        return bytes / units[i] + names[i];
      }
    }
    return null;
  }
}
