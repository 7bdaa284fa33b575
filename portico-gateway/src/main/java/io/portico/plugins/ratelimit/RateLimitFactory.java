package io.portico.plugins.ratelimit;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.DurationHint;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rate-limit}: limits how much each key (consumer, client IP, header, ...) may send per
 * window, in this instance ({@code policy: local}) or across every instance ({@code policy:
 * redis}). See {@link RateLimitPlugin} for the request flow.
 */
public final class RateLimitFactory implements PluginFactory<RateLimitConfig> {

  static final String WINDOW_RULE = "a duration from 1s to 366d such as 1s, 1m, 1h, 1d, 1w or 1y";
  private static final Pattern WINDOW = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w|y)");
  private static final long MAX_WINDOW = Duration.ofDays(366).toMillis();

  @Override
  public String name() {
    return "rate-limit";
  }

  @Override
  public int priority() {
    return 1100;
  }

  @Override
  public RateLimitConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    String name = config.string("name", "default");
    Algorithm algorithm =
        Algorithm.of(config.oneOf("algorithm", "sliding-window", Algorithm.NAMES));
    List<LimitRule> rules = rules(config, algorithm);
    KeySpec key = key(config);
    boolean missingIp = "ip".equals(config.oneOf("missing-key", "reject", List.of("reject", "ip")));
    Map<String, Double> groups = groups(config);
    long cost = Cost.configured(config);
    String costHeader = config.string("cost-header", null);
    String costResponseHeader = config.string("cost-response-header", null);
    if (costHeader != null && costResponseHeader != null) {
      problems.at(
          Objects.requireNonNull(config.child("cost-response-header")),
          "both cost-header and cost-response-header (expected: at most one)");
    }
    String policy = config.oneOf("policy", "local", List.of("local", "redis"));
    RedisSettings redis = null;
    if ("redis".equals(policy)) {
      redis = RedisSettings.parse(config, "redis", true);
      RedisSettings.checkName(config, name);
    } else if (config.has("redis")) {
      problems.at(
          Objects.requireNonNull(config.child("redis")),
          "redis settings (expected: only with policy: redis)");
    }
    int maxKeys = config.integer("max-keys", 100_000, 16, 100_000_000);
    int status = config.integer("status", 429, 400, 599);
    ConfigReader h = config.object("headers");
    RateLimitConfig.Headers headers =
        new RateLimitConfig.Headers(
            h.bool("ietf", true), h.bool("legacy", true), h.bool("retry-after", true));
    h.finish();
    config.finish();
    return new RateLimitConfig(
        name,
        rules,
        key,
        missingIp,
        groups,
        cost,
        costHeader,
        costResponseHeader,
        redis,
        maxKeys,
        status,
        headers);
  }

  private static List<LimitRule> rules(ConfigReader config, Algorithm algorithm) {
    List<ConfigNode> items = config.list("limits");
    if (items.isEmpty() && config.child("limits") == null) {
      config.required("limits", "a list of { requests, window }");
    }
    List<LimitRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode item : items) {
      ConfigReader r = ConfigReader.of(item, config.problems());
      long limit = r.longValue("requests", 0, 1, Long.MAX_VALUE / 4);
      if (!r.has("requests")) {
        r.required("requests", "an integer from 1");
      }
      ConfigNode windowNode = r.required("window", WINDOW_RULE);
      long window = windowNode == null ? 0 : windowMillis(windowNode, config.problems());
      long burst = r.longValue("burst", limit, 1, Long.MAX_VALUE / 4);
      String name =
          r.string(
              "name",
              windowNode == null || !windowNode.isScalar() ? "" : windowNode.scalarText().trim());
      misplacedKeys(r, config.has("key"));
      r.finish();
      if (!names.add(name)) {
        config
            .problems()
            .at(item, "duplicate limit name \"" + name + "\" (expected: a name per limit)");
      }
      if (limit > 0 && window > 0) {
        rules.add(new LimitRule(name, limit, window, algorithm, burst));
      }
    }
    if (items.isEmpty() && config.child("limits") != null) {
      config.problems().expected(config.child("limits"), "at least one limit");
    }
    return rules;
  }

  /**
   * {@code key} (or Kong's {@code limit-by}, or {@code missing-key}) written inside a limit: it
   * belongs beside {@code limits}, where it applies to every limit of the plugin.
   */
  private static void misplacedKeys(ConfigReader limit, boolean keyBeside) {
    for (String k : List.of("key", "limit-by", "missing-key")) {
      ConfigNode node = limit.node().fields().get(k);
      if (node == null || !limit.has(k)) {
        continue;
      }
      String written = k.equals("missing-key") ? "missing-key" : "key";
      String value = node.isScalar() ? node.scalarText().trim() : "";
      boolean valid =
          written.equals("key")
              ? KeySpec.part(value) != null
              : List.of("reject", "ip").contains(value);
      String example = written + ": " + (valid ? value : written.equals("key") ? "consumer" : "ip");
      limit
          .problems()
          .atKey(
              limit.node(),
              k,
              k
                  + " inside a limit (expected: "
                  + written
                  + " beside limits, where it applies to every limit: rate-limit: { "
                  + example
                  + ", limits: [ { requests: 100, window: 1m } ] }"
                  + (keyBeside && written.equals("key") ? "; this plugin already has one" : "")
                  + ")");
    }
  }

  private static long windowMillis(ConfigNode node, Problems problems) {
    Matcher m = node.isScalar() ? WINDOW.matcher(node.scalarText().trim()) : null;
    if (m == null || !m.matches()) {
      String fix = node.isScalar() ? DurationHint.of(node.scalarText()) : null;
      problems.expected(node, fix == null ? WINDOW_RULE : WINDOW_RULE + fix);
      return 0;
    }
    long unit =
        switch (m.group(2)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          case "d" -> 86_400_000;
          case "w" -> 7 * 86_400_000L;
          default -> 365 * 86_400_000L;
        };
    long ms;
    try {
      ms = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      ms = Long.MAX_VALUE; // more than a long holds: out of range like any other
    }
    if (ms < 1000 || ms > MAX_WINDOW) {
      problems.expected(node, WINDOW_RULE);
      return 0;
    }
    return ms;
  }

  private static KeySpec key(ConfigReader config) {
    List<KeySpec.Part> parts = new ArrayList<>();
    ConfigNode node = config.child("key");
    if (node == null) {
      return new KeySpec(List.of(new KeySpec.Part(KeySpec.Kind.IP, null)));
    }
    List<ConfigNode> words = node.isList() ? node.items() : List.of(node);
    for (ConfigNode w : words) {
      KeySpec.Part p = w.isScalar() ? KeySpec.part(w.scalarText()) : null;
      if (p == null) {
        config.problems().expected(w, KeySpec.RULE);
      } else {
        parts.add(p);
      }
    }
    if (words.isEmpty()) {
      config.problems().expected(node, "at least one of " + KeySpec.RULE);
    }
    return new KeySpec(parts);
  }

  private static Map<String, Double> groups(ConfigReader config) {
    Map<String, Double> out = new LinkedHashMap<>();
    ConfigNode node = config.child("groups");
    if (node == null) {
      return out;
    }
    if (!node.isObject()) {
      config.problems().expected(node, "an object of group: factor");
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      Double factor = null;
      if (e.getValue().isScalar()) {
        try {
          factor = Double.parseDouble(e.getValue().scalarText().trim());
        } catch (NumberFormatException ex) {
          factor = null;
        }
      }
      if (factor == null || !(factor > 0) || factor > 1_000_000) {
        config.problems().expected(e.getValue(), "a factor above 0 such as 10 or 0.5");
      } else {
        out.put(e.getKey(), factor);
      }
    }
    return out;
  }

  @Override
  public Plugin create(RateLimitConfig config, PluginContext context) {
    RedisLimiter redis =
        config.redis() == null
            ? null
            : new RedisLimiter(
                RedisStore.of(context, config.redis().url()), config.redis(), config.name());
    return new RateLimitPlugin(config, redis, System::currentTimeMillis);
  }
}
