package io.portico.config;

import io.portico.config.AlertsConfig.Kind;
import io.portico.config.AlertsConfig.Measure;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code alerts} section into an {@link AlertsConfig}, recording every problem
 * with its position: an unknown kind, a route, service, listener or notifier the config does not
 * have, a selector the kind does not take, a bad window or duration, a threshold out of range,
 * hysteresis on the wrong side of the threshold. Its notifiers are parsed by {@link
 * NotifiersSection}.
 */
final class AlertsSection {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(\\.\\d{1,3})?)");

  /** Labels every alert gets from its rule, which {@code labels} may not set. */
  static final Set<String> RESERVED_LABELS =
      Set.of("rule", "kind", "route", "service", "listener", "sink");

  private static final List<String> KINDS =
      Arrays.stream(Kind.values()).map(Kind::configName).toList();

  private final Problems problems;
  private final Path baseDir;

  AlertsSection(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  /**
   * The section, or null when {@code node} is absent.
   *
   * @param routes the config's routes, to check rule selectors against
   */
  @Nullable AlertsConfig parse(
      ConfigNode node,
      List<RouteConfig> routes,
      List<ServiceConfig> services,
      List<ListenerConfig> listeners) {
    return parse(node, routes, services, listeners, List.of());
  }

  /**
   * The section, or null when {@code node} is absent.
   *
   * @param sinks the names of the access log's sinks, to check {@code sink} selectors against
   */
  @Nullable AlertsConfig parse(
      @Nullable ConfigNode node,
      List<RouteConfig> routes,
      List<ServiceConfig> services,
      List<ListenerConfig> listeners,
      List<String> sinks) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      problems.expected(node, "an object with evaluation-interval, notifiers, rules, silences");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    Duration interval =
        r.duration(
            "evaluation-interval",
            Duration.ofSeconds(5),
            Duration.ofMillis(50),
            Duration.ofMinutes(10));
    Duration repeat =
        r.duration(
            "repeat-interval", Duration.ofHours(4), Duration.ofMillis(50), Duration.ofDays(30));
    List<AlertsConfig.Notifier> notifiers =
        new NotifiersSection(problems, baseDir).parse(list(r, "notifiers", "a list of notifiers"));
    Set<String> notifierNames = new HashSet<>();
    notifiers.forEach(n -> notifierNames.add(n.name()));
    Names names = new Names(names(routes, RouteConfig::name), services, listeners, sinks);
    List<AlertsConfig.Rule> rules = new ArrayList<>();
    Set<String> ruleNames = new HashSet<>();
    for (ConfigNode item : list(r, "rules", "a list of rules")) {
      AlertsConfig.Rule rule = rule(item, repeat, notifiers, notifierNames, names);
      ConfigNode nameNode = item.isObject() ? item.fields().get("name") : null;
      String name = nameNode != null && nameNode.isScalar() ? nameNode.text() : null;
      if (nameNode != null && name != null && !ruleNames.add(name)) {
        problems.expected(nameNode, "a rule name used once (" + name + " is used before)");
      } else if (rule != null) {
        rules.add(rule);
      }
    }
    List<AlertsConfig.Silence> silences = new ArrayList<>();
    for (ConfigNode item : list(r, "silences", "a list of silences")) {
      AlertsConfig.Silence s = silence(item);
      if (s != null) {
        silences.add(s);
      }
    }
    r.finish();
    return new AlertsConfig(interval, repeat, notifiers, rules, silences);
  }

  private record Names(
      List<String> routes,
      List<ServiceConfig> services,
      List<ListenerConfig> listeners,
      List<String> sinks) {}

  private static <T> List<String> names(List<T> items, Function<T, String> name) {
    return items.stream().map(name).toList();
  }

  private List<ConfigNode> list(ConfigReader r, String key, String expected) {
    ConfigNode node = r.child(key);
    if (node == null) {
      return List.of();
    }
    if (!node.isList()) {
      problems.expected(node, expected);
      return List.of();
    }
    return node.items();
  }

  /** A rule's or a notifier's {@code name}, or null (recorded) when missing or malformed. */
  static @Nullable String name(ConfigReader r, String expected) {
    String name = r.requiredString("name", expected);
    if (name != null && !NAME.matcher(name).matches()) {
      r.expected(
          "name", "letters, digits, _, . and - (at most 63), starting with a letter or digit");
      return null;
    }
    return name;
  }

  // ---- rules

  private AlertsConfig.@Nullable Rule rule(
      ConfigNode item,
      Duration defaultRepeat,
      List<AlertsConfig.Notifier> notifiers,
      Set<String> notifierNames,
      Names names) {
    ConfigReader r = ConfigReader.of(item, problems);
    String name = name(r, "a rule name such as api-errors");
    String kindText = r.requiredString("kind", "one of " + String.join(", ", KINDS));
    Kind kind = null;
    if (kindText != null) {
      if (KINDS.contains(kindText)) {
        kind = Kind.valueOf(kindText.toUpperCase(Locale.ROOT).replace('-', '_'));
      } else {
        r.expected("kind", "one of " + String.join(", ", KINDS));
      }
    }
    String route = r.string("route", null);
    String service = r.string("service", null);
    String listener = r.string("listener", null);
    String sink = r.string("sink", null);
    String measureText = r.oneOf("measure", "count", List.of("count", "ratio"));
    Measure measure = Measure.valueOf(measureText.toUpperCase(Locale.ROOT));
    double percentile = percentile(r);
    Duration window =
        r.duration("window", Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofDays(1));
    Duration forDuration = r.duration("for", Duration.ZERO, Duration.ZERO, Duration.ofDays(1));
    long minRequests = r.longValue("min-requests", 1, 1, Long.MAX_VALUE);
    Duration repeat =
        r.duration("repeat-interval", defaultRepeat, Duration.ofMillis(50), Duration.ofDays(30));
    List<String> targets = ruleNotifiers(r, notifiers, notifierNames);
    Map<String, String> labels = new LinkedHashMap<>();
    ConfigNode labelsNode = r.child("labels");
    for (Map.Entry<String, String> e : r.stringMap("labels").entrySet()) {
      // labelsNode holds every key of a non-empty labels map
      ConfigNode at =
          labelsNode == null ? r.node() : labelsNode.fields().getOrDefault(e.getKey(), labelsNode);
      if (!LABEL.matcher(e.getKey()).matches()) {
        problems.expected(at, "a label name: letters, digits and _, not starting with a digit");
      } else if (RESERVED_LABELS.contains(e.getKey())) {
        problems.expected(
            at,
            "a label other than " + String.join(", ", RESERVED_LABELS.stream().sorted().toList()));
      } else {
        labels.put(e.getKey(), e.getValue());
      }
    }
    String severity = r.string("severity", labels.getOrDefault("severity", "warning"));
    labels.put("severity", severity);
    String summary = r.string("summary", null);
    boolean hasThreshold = r.has("threshold");
    boolean hasResolve = r.has("resolve-threshold");
    boolean hasRatio = r.has("resolve-ratio");
    if (kind == null) {
      r.finish();
      return null;
    }
    selectors(r, kind, route, service, listener, names);
    if (sink != null && kind != Kind.LOG_SINK_DROPS) {
      SectionReaders.at(r, "sink", "sink on a " + kind.configName() + " rule (expected: no sink)");
    } else if (sink != null && !names.sinks().contains(sink)) {
      r.expected(
          "sink",
          names.sinks().isEmpty()
              ? "no sink: the access log is off"
              : "a sink of runtime.access-log: " + String.join(", ", names.sinks()));
    }
    if (r.has("measure") && !countsRequests(kind)) {
      SectionReaders.at(
          r, "measure", "measure on a " + kind.configName() + " rule (expected: no measure)");
    }
    if (r.has("percentile") && kind != Kind.LATENCY) {
      SectionReaders.at(
          r, "percentile", "percentile on a " + kind.configName() + " rule (expected: none)");
    }
    Double threshold = threshold(r, "threshold", kind, measure, hasThreshold);
    double resolve = threshold == null ? 0 : threshold;
    if (hasResolve && hasRatio) {
      SectionReaders.at(
          r, "resolve-ratio", "resolve-threshold and resolve-ratio (expected: one of them)");
    } else if (hasResolve && threshold != null) {
      Double value = threshold(r, "resolve-threshold", kind, measure, true);
      if (value != null) {
        boolean ok =
            kind.direction() == AlertsConfig.Direction.ABOVE
                ? value <= threshold
                : value >= threshold;
        if (!ok) {
          r.expected(
              "resolve-threshold",
              kind.direction() == AlertsConfig.Direction.ABOVE
                  ? "a value at most the threshold (hysteresis resolves below it)"
                  : "a value at least the threshold (hysteresis resolves above it)");
        } else {
          resolve = value;
        }
      }
    } else if (hasRatio) {
      Double ratio =
          r.value(
              "resolve-ratio",
              null,
              "a number above 0 and at most 1, such as 0.8",
              (text, n) -> {
                Double v = number(text);
                return v != null && v > 0 && v <= 1 ? v : null;
              });
      if (ratio != null && threshold != null) {
        resolve =
            kind.direction() == AlertsConfig.Direction.ABOVE
                ? threshold * ratio
                : threshold / ratio;
      }
    }
    r.finish();
    if (name == null || threshold == null) {
      return null;
    }
    return new AlertsConfig.Rule(
        name,
        kind,
        route,
        service,
        listener,
        measure,
        percentile,
        threshold,
        resolve,
        window,
        forDuration,
        minRequests,
        repeat,
        targets,
        labels,
        summary,
        sink);
  }

  private static boolean countsRequests(Kind kind) {
    return kind == Kind.RATE_LIMITED
        || kind == Kind.AUTH_FAILURES
        || kind == Kind.REDIS_UNREACHABLE;
  }

  private List<String> ruleNotifiers(
      ConfigReader r, List<AlertsConfig.Notifier> notifiers, Set<String> defined) {
    ConfigNode node = r.child("notifiers");
    if (node == null) {
      return notifiers.stream().map(AlertsConfig.Notifier::name).toList();
    }
    if (!node.isList()) {
      problems.expected(node, "a list of notifier names");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode item : node.items()) {
      String n = item.isScalar() ? item.text() : null;
      if (n == null || !defined.contains(n)) {
        problems.expected(
            item,
            defined.isEmpty()
                ? "a notifier defined in alerts.notifiers (none is)"
                : "a notifier defined in alerts.notifiers: "
                    + String.join(", ", defined.stream().sorted().toList()));
      } else if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private void selectors(
      ConfigReader r,
      Kind kind,
      @Nullable String route,
      @Nullable String service,
      @Nullable String listener,
      Names names) {
    boolean routeOk =
        kind != Kind.NO_HEALTHY_ENDPOINT
            && kind != Kind.CERTIFICATE_EXPIRY
            && kind != Kind.RELOAD_FAILED
            && kind != Kind.LOG_SINK_DROPS;
    boolean serviceOk = kind != Kind.RELOAD_FAILED && kind != Kind.LOG_SINK_DROPS;
    boolean listenerOk = kind == Kind.CERTIFICATE_EXPIRY;
    String what = kind.configName() + " rule";
    if (route != null && !routeOk) {
      SectionReaders.at(r, "route", "route on a " + what + " (expected: no route)");
    } else if (route != null && !names.routes().contains(route)) {
      r.expected("route", "a route of the config: " + String.join(", ", names.routes()));
    }
    if (service != null && !serviceOk) {
      SectionReaders.at(r, "service", "service on a " + what + " (expected: no service)");
    } else if (service != null) {
      ServiceConfig s =
          names.services().stream().filter(c -> c.name().equals(service)).findFirst().orElse(null);
      if (s == null) {
        r.expected(
            "service",
            "a service of the config: "
                + String.join(", ", names(names.services(), ServiceConfig::name)));
      } else if (kind == Kind.CERTIFICATE_EXPIRY
          && (s.tls() == null || s.tls().clientCert() == null)) {
        r.expected("service", "a service with a client certificate (tls.client-cert)");
      }
    }
    if (listener != null && !listenerOk) {
      SectionReaders.at(r, "listener", "listener on a " + what + " (expected: no listener)");
    } else if (listener != null) {
      ListenerConfig l =
          names.listeners().stream()
              .filter(c -> c.name().equals(listener))
              .findFirst()
              .orElse(null);
      if (l == null) {
        r.expected(
            "listener",
            "a listener of the config: "
                + String.join(", ", names(names.listeners(), ListenerConfig::name)));
      } else if (l.tls() == null) {
        r.expected("listener", "a listener with tls");
      }
    }
    int selected = (route == null ? 0 : 1) + (service == null ? 0 : 1) + (listener == null ? 0 : 1);
    if (selected > 1) {
      problems.at(r.node(), "more than one of route, service, listener (expected: one)");
    }
    if ((kind == Kind.ERROR_RATE || kind == Kind.LATENCY) && selected == 0) {
      problems.at(r.node(), "no route or service (expected: route or service to measure)");
    }
    if (kind == Kind.NO_HEALTHY_ENDPOINT && service == null) {
      problems.at(r.node(), "no service (expected: service: the service whose endpoints count)");
    }
  }

  private double percentile(ConfigReader r) {
    return r.value(
        "percentile",
        0.99,
        "p50, p90, p95, p99, p99.9, or a number above 0 and below 1",
        (text, n) -> {
          java.util.regex.Matcher m = PERCENTILE.matcher(text);
          Double v =
              m.matches() ? Double.valueOf(Double.parseDouble(m.group(1)) / 100) : number(text);
          return v != null && v > 0 && v < 1 ? v : null;
        });
  }

  /** The threshold (or resolve threshold) in the kind's unit; null when invalid or missing. */
  private @Nullable Double threshold(
      ConfigReader r, String key, Kind kind, Measure measure, boolean present) {
    switch (kind) {
      case RELOAD_FAILED -> {
        if (present) {
          SectionReaders.at(
              r,
              key,
              key + " on a reload-failed rule (expected: none; it fires on a rejected reload)");
        }
        return 1.0;
      }
      case NO_HEALTHY_ENDPOINT -> {
        return (double) r.integer(key, 1, 1, 100_000);
      }
      case LATENCY -> {
        if (!present) {
          r.required(key, "a duration such as 500ms or 2s");
          return null;
        }
        Duration d = r.duration(key, null, Duration.ofMillis(1), Duration.ofMinutes(10));
        return d == null ? null : d.toNanos() / 1e9;
      }
      case CERTIFICATE_EXPIRY -> {
        if (!present) {
          return 14.0;
        }
        return r.value(
            key,
            null,
            "a duration from 1h to 3650d, such as 14d",
            (text, n) -> {
              Duration d = ConfigReader.parseDuration(text);
              return d == null
                      || d.compareTo(Duration.ofHours(1)) < 0
                      || d.compareTo(Duration.ofDays(3650)) > 0
                  ? null
                  : d.toSeconds() / 86_400.0;
            });
      }
      default -> {
        boolean share = kind == Kind.ERROR_RATE || measure == Measure.RATIO;
        if (!present) {
          if ((kind == Kind.REDIS_UNREACHABLE || kind == Kind.LOG_SINK_DROPS) && !share) {
            return 1.0;
          }
          r.required(key, share ? "a share from 0 to 1, such as 0.05" : "a count, such as 10");
          return null;
        }
        return r.value(
            key,
            null,
            share
                ? "a share from 0 to 1, such as 0.05 or 5%"
                : "a count from 1 to 1000000000, such as 10",
            (text, n) -> {
              Double v = share ? share(text) : number(text);
              if (v == null) {
                return null;
              }
              if (share) {
                return v >= 0 && v <= 1 ? v : null;
              }
              return v >= 1 && v <= 1e9 && v == Math.rint(v) ? v : null;
            });
      }
    }
  }

  private static @Nullable Double share(String text) {
    String t = text.trim();
    if (t.endsWith("%")) {
      Double v = number(t.substring(0, t.length() - 1).trim());
      return v == null ? null : v / 100;
    }
    return number(t);
  }

  private static @Nullable Double number(String text) {
    try {
      double v = Double.parseDouble(text.trim());
      return Double.isFinite(v) ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---- silences

  private AlertsConfig.@Nullable Silence silence(ConfigNode item) {
    ConfigReader r = ConfigReader.of(item, problems);
    Map<String, String> matchers = r.stringMap("matchers");
    if (matchers.isEmpty()) {
      r.expected("matchers", "an object of label: value, such as { rule: api-errors }");
    }
    Instant until =
        r.value(
            "until",
            null,
            "an instant such as 2026-12-31T23:00:00Z",
            (text, n) -> {
              try {
                return Instant.parse(text);
              } catch (DateTimeParseException e) {
                return null;
              }
            });
    String comment = r.string("comment", "");
    r.finish();
    return matchers.isEmpty() ? null : new AlertsConfig.Silence(matchers, until, comment);
  }
}
