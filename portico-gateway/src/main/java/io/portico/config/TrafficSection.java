package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses a route's {@code traffic-split} and {@code mirror} sections into a {@link TrafficConfig},
 * recording every problem with its position: unknown services (with a "did you mean"), rules
 * without services or whose weights are all zero, a rule after one that matches every request, the
 * hash key a {@code hash-on} needs.
 */
final class TrafficSection {

  /** Largest weight of one service in a rule. */
  static final int MAX_WEIGHT = 10_000;

  private final Problems problems;
  private final Set<String> serviceNames;

  TrafficSection(Problems problems, Set<String> serviceNames) {
    this.problems = problems;
    this.serviceNames = serviceNames;
  }

  /** The route's traffic policy, or null when it has neither section. */
  @Nullable TrafficConfig parse(ConfigReader route) {
    ConfigNode splitNode = route.child("traffic-split");
    ConfigNode mirrorNode = route.child("mirror");
    if (splitNode == null && mirrorNode == null) {
      return null;
    }
    TrafficConfig.Split split = null;
    if (splitNode != null) {
      split = split(splitNode);
      if (!route.has("service")) {
        problems.at(
            splitNode,
            "traffic-split without service (expected: the route's service, which serves the"
                + " requests no rule matches)");
      }
    }
    TrafficConfig.Mirror mirror = mirrorNode == null ? null : mirror(mirrorNode);
    for (String key : List.of("traffic-split", "mirror")) {
      if (route.has(key) && route.has("aggregate")) {
        route.expected(key, "no " + key + " on a route with aggregate");
      }
    }
    return new TrafficConfig(split, mirror);
  }

  private TrafficConfig.@Nullable Split split(ConfigNode node) {
    if (!node.isObject()) {
      problems.expected(node, "an object with rules, and optionally hash-on and hash-key");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    List<String> sources =
        Arrays.stream(BalancerConfig.HashOn.values())
            .map(BalancerConfig.HashOn::configName)
            .toList();
    String hashOnName = r.oneOf("hash-on", null, sources);
    BalancerConfig.HashOn hashOn =
        hashOnName == null ? null : BalancerConfig.HashOn.values()[sources.indexOf(hashOnName)];
    String hashKey = r.string("hash-key", null);
    boolean named =
        hashOn == BalancerConfig.HashOn.HEADER
            || hashOn == BalancerConfig.HashOn.COOKIE
            || hashOn == BalancerConfig.HashOn.PATH_PARAMETER;
    if (named && hashKey == null) {
      problems.at(
          node,
          "hash-on: " + hashOnName + " needs hash-key (expected: the header, cookie or parameter)");
    }
    if (hashKey != null && !named) {
      r.expected("hash-key", "hash-on: header, cookie or path-parameter with it");
    }
    List<TrafficConfig.Rule> rules = new ArrayList<>();
    ConfigNode list = r.required("rules", "a list of rules");
    if (list != null) {
      if (!list.isList() || list.items().isEmpty()) {
        problems.expected(list, "a list of at least one rule");
      } else {
        ConfigNode catchAll = null;
        for (ConfigNode item : list.items()) {
          if (catchAll != null) {
            problems.at(
                item,
                "a rule after "
                    + catchAll.path()
                    + ", which matches every request (expected: rules with match first)");
          }
          TrafficConfig.Rule rule = rule(item);
          if (rule != null) {
            rules.add(rule);
            if (rule.match().isAny() && catchAll == null) {
              catchAll = item;
            }
          }
        }
      }
    }
    r.finish();
    return new TrafficConfig.Split(hashOn, named ? hashKey : null, List.copyOf(rules));
  }

  private TrafficConfig.@Nullable Rule rule(ConfigNode item) {
    if (!item.isObject()) {
      problems.expected(item, "a rule: an object with services, and optionally match");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    TrafficConfig.Match match = TrafficConfig.Match.ANY;
    if (r.has("match")) {
      ConfigReader m = r.object("match");
      match =
          new TrafficConfig.Match(
              values(m.child("headers"), true),
              values(m.child("query"), false),
              values(m.child("cookies"), false));
      m.finish();
    }
    List<TrafficConfig.Weighted> services = new ArrayList<>();
    ConfigNode list = r.required("services", "a list of {service, weight}");
    if (list != null) {
      if (!list.isList() || list.items().isEmpty()) {
        problems.expected(list, "a list of at least one {service, weight}");
      } else {
        long total = 0;
        for (ConfigNode s : list.items()) {
          if (!s.isObject()) {
            problems.expected(s, "an object with service and weight");
            continue;
          }
          ConfigReader sr = ConfigReader.of(s, problems);
          String service =
              SectionReaders.serviceReference(
                  sr.required("service", "the name of a service"), serviceNames, problems);
          int weight = sr.integer("weight", 1, 0, MAX_WEIGHT);
          sr.finish();
          total += weight;
          if (service != null) {
            services.add(new TrafficConfig.Weighted(service, weight));
          }
        }
        if (total == 0) {
          problems.expected(list, "at least one service with a weight above 0");
        }
      }
    }
    r.finish();
    return new TrafficConfig.Rule(match, List.copyOf(services));
  }

  private Map<String, List<String>> values(@Nullable ConfigNode node, boolean headerNames) {
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.expected(node, "an object of name: value (or a list of accepted values)");
      return Map.of();
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      if (e.getKey().isEmpty()
          || (headerNames && !SectionReaders.TOKEN.matcher(e.getKey()).matches())) {
        problems.at(e.getValue(), '"' + e.getKey() + "\" (expected: a name)");
        continue;
      }
      ConfigNode v = e.getValue();
      List<String> accepted = new ArrayList<>();
      if (v.isScalar() && !v.isNull()) {
        accepted.add(v.text());
      } else if (v.isList() && !v.items().isEmpty()) {
        for (ConfigNode i : v.items()) {
          if (i.isScalar() && !i.isNull()) {
            accepted.add(i.text());
          } else {
            problems.expected(i, "a value");
          }
        }
      } else {
        problems.expected(v, "a value or a non-empty list of accepted values");
        continue;
      }
      out.put(e.getKey(), List.copyOf(accepted));
    }
    return Collections.unmodifiableMap(out);
  }

  private TrafficConfig.@Nullable Mirror mirror(ConfigNode node) {
    if (!node.isObject()) {
      problems.expected(
          node, "an object with service, and optionally percent, max-body-size, host-suffix");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    String service =
        SectionReaders.serviceReference(
            r.required("service", "the name of a service"), serviceNames, problems);
    double percent = 100;
    ConfigNode p = r.child("percent");
    if (p != null) {
      percent = -1;
      if (p.isScalar() && p.text() != null) {
        try {
          percent = Double.parseDouble(p.text());
        } catch (NumberFormatException e) {
          percent = -1;
        }
      }
      if (!(percent >= 0 && percent <= 100)) {
        problems.expected(p, "a number from 0 to 100");
        percent = 100;
      }
    }
    long maxBody =
        r.size("max-body-size", TrafficConfig.Mirror.DEFAULT_MAX_BODY_SIZE, 0, 64L * 1024 * 1024);
    String suffix = r.string("host-suffix", "");
    if (suffix != null && !suffix.isEmpty() && !suffix.matches("[A-Za-z0-9.-]+")) {
      r.expected("host-suffix", "letters, digits, '.' and '-' such as -shadow");
      suffix = "";
    }
    r.finish();
    return service == null
        ? null
        : new TrafficConfig.Mirror(service, percent, maxBody, suffix == null ? "" : suffix);
  }
}
