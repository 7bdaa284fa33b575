package io.portico.config;

import io.lettuce.core.RedisURI;
import io.portico.spi.config.CalendarQuota;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses the token keys of the top-level {@code ai} section ({@code tokens}, {@code token-limits},
 * {@code token-quotas}, {@code prices}) into an {@link AiTokensConfig}, recording every problem
 * with its position.
 */
final class AiTokensSection {

  static final String KEY_RULE = "consumer, group, model, route or global";
  private static final String WINDOW_RULE = "a duration from 1s to 366d such as 1m, 1h or 1d";
  private static final List<String> FAILURE = List.of("fail-open", "fail-closed", "local-fallback");
  private static final String URL_RULE =
      "a Redis URI such as redis://127.0.0.1:6379, redis-sentinel://host:26379#master or"
          + " redis-cluster://host:6379,host:6380";

  private final Problems problems;

  AiTokensSection(Problems problems) {
    this.problems = problems;
  }

  /**
   * Reads the token keys of {@code ai}; the providers and models are those the section declares.
   */
  AiTokensConfig parse(ConfigReader ai, Set<String> providers, Set<String> models) {
    ConfigReader t = ai.object("tokens");
    long estimate =
        t.longValue(
            "completion-estimate", AiTokensConfig.DEFAULT_COMPLETION_ESTIMATE, 0, 10_000_000);
    t.finish();
    Set<String> names = new HashSet<>();
    List<AiTokensConfig.Limit> limits = new ArrayList<>();
    for (ConfigNode item : list(ai, "token-limits", "a list of token limits")) {
      AiTokensConfig.Limit l = limit(item, names, models);
      if (l != null) {
        limits.add(l);
      }
    }
    List<AiTokensConfig.Quota> quotas = new ArrayList<>();
    for (ConfigNode item : list(ai, "token-quotas", "a list of token quotas")) {
      AiTokensConfig.Quota q = quota(item, names, models);
      if (q != null) {
        quotas.add(q);
      }
    }
    List<AiTokensConfig.Price> prices = new ArrayList<>();
    Set<String> priced = new HashSet<>();
    for (ConfigNode item : list(ai, "prices", "a list of prices")) {
      AiTokensConfig.Price p = price(item, providers, priced);
      if (p != null) {
        prices.add(p);
      }
    }
    return new AiTokensConfig(estimate, limits, quotas, prices);
  }

  private List<ConfigNode> list(ConfigReader ai, String key, String rule) {
    ConfigNode node = ai.child(key);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isList()) {
      problems.expected(node, rule);
      return List.of();
    }
    return node.items();
  }

  private AiTokensConfig.@Nullable Limit limit(
      ConfigNode item, Set<String> names, Set<String> models) {
    if (!item.isObject()) {
      problems.expected(item, "a token limit object with name, key and limits");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String name = name(r, names);
    List<AiTokensConfig.KeyPart> key = key(r);
    List<AiTokensConfig.Window> windows = new ArrayList<>();
    ConfigNode list = r.required("limits", "a list of { tokens, window }");
    if (list != null && (!list.isList() || list.items().isEmpty())) {
      problems.expected(list, "a list of at least one { tokens, window }");
    } else if (list != null) {
      Set<String> windowNames = new HashSet<>();
      for (ConfigNode w : list.items()) {
        AiTokensConfig.Window window = window(w, windowNames);
        if (window != null) {
          windows.add(window);
        }
      }
    }
    List<String> covered = models(r, models);
    String policy = r.oneOf("policy", "local", List.of("local", "redis"));
    AiTokensConfig.Redis redis = null;
    if ("redis".equals(policy)) {
      redis = redis(r);
    } else if (r.has("redis")) {
      SectionReaders.at(r, "redis", "redis settings (expected: only with policy: redis)");
    }
    int maxKeys = r.integer("max-keys", 100_000, 16, 100_000_000);
    r.finish();
    if (name == null
        || key == null
        || windows.isEmpty()
        || ("redis".equals(policy) && redis == null)) {
      return null;
    }
    return new AiTokensConfig.Limit(name, key, windows, covered, redis, maxKeys);
  }

  private AiTokensConfig.@Nullable Window window(ConfigNode item, Set<String> names) {
    if (!item.isObject()) {
      problems.expected(item, "an object with tokens and window");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    long tokens = r.longValue("tokens", 0, 1, Long.MAX_VALUE / 4);
    if (!r.has("tokens")) {
      r.required("tokens", "an integer from 1");
    }
    ConfigNode windowNode = r.required("window", WINDOW_RULE);
    Duration window = null;
    if (windowNode != null) {
      window = windowNode.isScalar() ? ConfigReader.parseDuration(windowNode.scalarText()) : null;
      if (window == null
          || window.compareTo(Duration.ofSeconds(1)) < 0
          || window.compareTo(Duration.ofDays(366)) > 0) {
        problems.expected(windowNode, WINDOW_RULE);
        window = null;
      }
    }
    String name =
        r.string(
            "name",
            windowNode == null || !windowNode.isScalar() ? "" : windowNode.scalarText().trim());
    r.finish();
    if (name != null && !names.add(name)) {
      problems.at(item, "duplicate limit name \"" + name + "\" (expected: a name per limit)");
    }
    return tokens <= 0 || window == null || name == null
        ? null
        : new AiTokensConfig.Window(name, tokens, window);
  }

  private @Nullable List<AiTokensConfig.KeyPart> key(ConfigReader r) {
    ConfigNode node = r.child("key");
    if (node == null) {
      return List.of(AiTokensConfig.KeyPart.CONSUMER);
    }
    List<ConfigNode> words = node.isList() ? node.items() : List.of(node);
    if (words.isEmpty()) {
      problems.expected(node, "at least one of " + KEY_RULE);
      return null;
    }
    List<AiTokensConfig.KeyPart> parts = new ArrayList<>();
    boolean ok = true;
    for (ConfigNode w : words) {
      AiTokensConfig.KeyPart p = null;
      if (w.isScalar()) {
        try {
          p = AiTokensConfig.KeyPart.valueOf(w.scalarText().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          p = null;
        }
      }
      if (p == null) {
        problems.expected(w, KEY_RULE);
        ok = false;
      } else if (!parts.contains(p)) {
        parts.add(p);
      }
    }
    return ok ? parts : null;
  }

  private List<String> models(ConfigReader r, Set<String> models) {
    List<String> covered = r.strings("models");
    ConfigNode node = r.child("models");
    if (node != null && node.isList()) {
      for (ConfigNode m : node.items()) {
        if (m.isScalar() && !models.contains(m.text())) {
          problems.at(
              m,
              "unknown model \""
                  + m.text()
                  + "\" (expected: "
                  + (models.isEmpty()
                      ? "a model of ai.models; none is defined"
                      : "one of " + String.join(", ", models))
                  + ")");
        }
      }
    }
    return covered;
  }

  private AiTokensConfig.@Nullable Quota quota(
      ConfigNode item, Set<String> names, Set<String> models) {
    if (!item.isObject()) {
      problems.expected(item, "a token quota object with name, limit, period and redis");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String name = name(r, names);
    CalendarQuota quota = CalendarQuota.read(r, "an integer from 1 (tokens per period)");
    List<String> covered = models(r, models);
    AiTokensConfig.Redis redis = redis(r);
    if (redis == null && !r.has("redis")) {
      r.required("redis", "an object with url and on-failure (quotas are counted in Redis)");
    }
    r.finish();
    if (name == null || quota.limit() <= 0 || redis == null) {
      return null;
    }
    return new AiTokensConfig.Quota(
        name,
        quota.limit(),
        quota.monthly(),
        quota.zone(),
        quota.perGroup(),
        quota.groupLimits(),
        covered,
        redis);
  }

  private AiTokensConfig.@Nullable Redis redis(ConfigReader parent) {
    ConfigNode node = parent.child("redis");
    if (node == null) {
      if (parent.has("policy")) {
        parent.required("redis", "an object with url, and optionally prefix, timeout, on-failure");
      }
      return null;
    }
    if (!node.isObject()) {
      problems.expected(node, "an object with url, and optionally prefix, timeout, on-failure");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    String url = r.requiredString("url", URL_RULE);
    if (url != null && !validUrl(url.trim())) {
      r.expected("url", URL_RULE);
      url = null;
    }
    String prefix = r.string("prefix", "portico:");
    if (prefix != null && (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0)) {
      r.expected("prefix", "no { or } (the limit sets the key's hash tag)");
      prefix = null;
    }
    Duration timeout =
        r.duration("timeout", Duration.ofMillis(100), Duration.ofMillis(1), Duration.ofSeconds(10));
    String failure = r.oneOf("on-failure", null, FAILURE);
    if (failure == null && !r.has("on-failure")) {
      r.required("on-failure", "one of " + String.join(", ", FAILURE));
    }
    r.finish();
    return url == null || prefix == null || failure == null || timeout == null
        ? null
        : new AiTokensConfig.Redis(url.trim(), prefix, timeout, failure);
  }

  private static boolean validUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://")) {
      return url.indexOf("://") + 3 < url.length();
    }
    try {
      RedisURI.create(url);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private AiTokensConfig.@Nullable Price price(
      ConfigNode item, Set<String> providers, Set<String> seen) {
    if (!item.isObject()) {
      problems.expected(item, "a price object with provider, model, input and output");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String provider = r.requiredString("provider", "the name of a provider");
    if (provider != null && !providers.contains(provider)) {
      SectionReaders.at(
          r,
          "provider",
          "unknown provider \""
              + provider
              + "\" (expected: "
              + (providers.isEmpty()
                  ? "a provider of ai.providers; none is defined"
                  : "one of " + String.join(", ", providers))
              + ")");
      provider = null;
    }
    String model = r.requiredString("model", "the model name at the provider, or *");
    double input = price(r, "input");
    double output = price(r, "output");
    r.finish();
    if (provider != null && model != null && !seen.add(provider + "\n" + model)) {
      problems.at(item, "duplicate price of " + provider + " " + model);
    }
    return provider == null || model == null || input < 0 || output < 0
        ? null
        : new AiTokensConfig.Price(provider, model, input, output);
  }

  /** A price per million tokens: a decimal number from 0; -1 when invalid (recorded). */
  private static double price(ConfigReader r, String key) {
    String rule = "a price per million tokens, a decimal number from 0 such as 2.5";
    if (!r.has(key)) {
      r.required(key, rule);
      return -1;
    }
    Double v =
        r.value(
            key,
            -1.0,
            rule,
            (text, node) -> {
              try {
                double d = Double.parseDouble(text.trim());
                return Double.isFinite(d) && d >= 0 && d < 1e9 ? d : null;
              } catch (NumberFormatException e) {
                return null;
              }
            });
    return v == null ? -1 : v;
  }

  private @Nullable String name(ConfigReader r, Set<String> seen) {
    ConfigNode node = r.required("name", "a name");
    if (node == null) {
      return null;
    }
    String text = node.isScalar() ? node.scalarText() : "";
    if (!text.matches("[A-Za-z0-9._-]+")) {
      problems.expected(node, ConfigParser.NAME_RULE);
      return null;
    }
    if (!seen.add(text)) {
      problems.at(node, "duplicate token limit or quota name \"" + text + "\"");
    }
    return text;
  }
}
