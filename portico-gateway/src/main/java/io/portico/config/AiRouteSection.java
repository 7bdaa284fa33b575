package io.portico.config;

import io.lettuce.core.RedisURI;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Parses what a route's {@code ai} section adds to the OpenAI front ({@code prompt}, {@code guard},
 * {@code cache}, {@code error-format}) into {@link AiRouteOptions}, every problem recorded with its
 * place: a template's unknown variable at its column, an unknown model with the names known.
 */
final class AiRouteSection {

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String REDIS_RULE = "a Redis URI such as redis://127.0.0.1:6379";
  static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
  static final int DEFAULT_MAX_ENTRIES = 10_000;
  static final long DEFAULT_MAX_BYTES = 64L << 20;
  static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(100);
  static final String DEFAULT_MASK_FORMAT = "[{kind}]";

  private final Problems problems;

  AiRouteSection(Problems problems) {
    this.problems = problems;
  }

  /** The options read from the route's {@code ai} reader {@code r} (its keys marked read). */
  AiRouteOptions parse(ConfigReader r, AiConfig ai) {
    ConfigNode promptNode = r.child("prompt");
    AiRouteOptions.Prompt prompt = promptNode == null ? null : prompt(promptNode, ai);
    if (promptNode != null && r.has("models")) {
      r.expected("models", "no models with prompt (the prompt names its model)");
    }
    ConfigNode guardNode = r.child("guard");
    AiRouteOptions.Guard guard = guardNode == null ? null : guard(guardNode);
    ConfigNode cacheNode = r.child("cache");
    AiRouteOptions.Cache cache = cacheNode == null ? null : cache(cacheNode);
    String format =
        r.oneOf(
            "error-format",
            promptNode == null ? "openai" : "problem",
            List.of("openai", "problem"));
    return new AiRouteOptions(
        prompt,
        guard,
        cache,
        "problem".equals(format)
            ? AiRouteOptions.ErrorFormat.PROBLEM
            : AiRouteOptions.ErrorFormat.OPENAI);
  }

  private AiRouteOptions.@Nullable Prompt prompt(ConfigNode node, AiConfig ai) {
    if (!node.isObject()) {
      problems.expected(node, "an object with model, variables, user and optionally system");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    String model = r.requiredString("model", "one of the ai section's models");
    if (model != null) {
      List<String> known = ai.models().stream().map(AiConfig.Model::name).distinct().toList();
      if (!known.contains(model)) {
        String hint = Suggestions.closest(model, known);
        SectionReaders.at(
            r,
            "model",
            "unknown model \""
                + model
                + "\" (expected: "
                + (known.isEmpty()
                    ? "a model of the ai section; none is defined: add one under ai.models, or"
                        + " through the admin API's /ai-models"
                    : "one of " + String.join(", ", known))
                + ")"
                + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
        model = null;
      }
    }
    Map<String, AiRouteOptions.Variable> variables = new LinkedHashMap<>();
    for (ConfigNode item : r.list("variables")) {
      AiRouteOptions.Variable v = variable(item, variables);
      if (v != null) {
        variables.put(v.name(), v);
      }
    }
    ConfigNode systemNode = r.child("system");
    AiRouteOptions.Template system =
        systemNode == null ? null : template(systemNode, variables.keySet());
    ConfigNode userNode = r.required("user", "the user message template");
    AiRouteOptions.Template user = userNode == null ? null : template(userNode, variables.keySet());
    String response = r.oneOf("response", "text", List.of("text", "json"));
    boolean fromQuery = r.bool("variables-from-query", false);
    int maxTokens = r.integer("max-tokens", 0, 1, 1_000_000);
    double temperature = Double.NaN;
    ConfigNode t = r.child("temperature");
    if (t != null) {
      try {
        temperature = Double.parseDouble(t.isScalar() ? t.scalarText() : "x");
        if (!(temperature >= 0 && temperature <= 2)) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        problems.expected(t, "a number from 0 to 2");
        temperature = Double.NaN;
      }
    }
    r.finish();
    if (model == null || user == null || (systemNode != null && system == null)) {
      return null;
    }
    return new AiRouteOptions.Prompt(
        model,
        List.copyOf(variables.values()),
        system,
        user,
        "json".equals(response)
            ? AiRouteOptions.ResponseMode.JSON
            : AiRouteOptions.ResponseMode.TEXT,
        fromQuery,
        maxTokens,
        temperature);
  }

  private AiRouteOptions.@Nullable Variable variable(
      ConfigNode item, Map<String, AiRouteOptions.Variable> seen) {
    if (!item.isObject()) {
      problems.expected(
          item, "a variable object with name, and optionally required, max-length, default");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String name = r.requiredString("name", "a variable name");
    if (name != null && !VARIABLE_NAME.matcher(name).matches()) {
      r.expected("name", "a name of letters, digits and _ (not starting with a digit)");
      name = null;
    } else if (name != null && seen.containsKey(name)) {
      SectionReaders.at(r, "name", "duplicate variable name \"" + name + "\"");
      name = null;
    }
    boolean required = r.bool("required", false);
    int maxLength = r.integer("max-length", 0, 1, 10_000_000);
    String defaultValue = r.string("default", null);
    if (required && defaultValue != null) {
      r.expected("default", "no default for a required variable");
    }
    if (defaultValue != null
        && maxLength > 0
        && defaultValue.codePointCount(0, defaultValue.length()) > maxLength) {
      r.expected("default", "at most max-length (" + maxLength + ") characters");
    }
    r.finish();
    return name == null
        ? null
        : new AiRouteOptions.Variable(name, required, maxLength, defaultValue);
  }

  /** A message template: {@code {{name}}} holes, each a declared variable. */
  private AiRouteOptions.@Nullable Template template(
      ConfigNode node, java.util.Set<String> declared) {
    if (!node.isScalar()) {
      problems.expected(node, "a template string with {{variable}} holes");
      return null;
    }
    String text = node.scalarText();
    List<String> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean valid = true;
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf("{{", i);
      if (open < 0) {
        literal.append(text, i, text.length());
        break;
      }
      literal.append(text, i, open);
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        report(node, text, open, "an unclosed {{ (expected: {{variable}})");
        valid = false;
        break;
      }
      String name = text.substring(open + 2, close).trim();
      if (!declared.contains(name)) {
        String hint = Suggestions.closest(name, declared);
        report(
            node,
            text,
            open,
            "unknown variable \""
                + name
                + "\" (expected: one of the declared variables: "
                + (declared.isEmpty() ? "none declared" : String.join(", ", declared))
                + ")"
                + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
        valid = false;
      }
      parts.add(literal.toString());
      literal.setLength(0);
      parts.add(name);
      i = close + 2;
    }
    parts.add(literal.toString());
    return valid ? new AiRouteOptions.Template(text, parts) : null;
  }

  /** A problem at character {@code offset} of a template: its column when it sits on one line. */
  private void report(ConfigNode node, String text, int offset, String message) {
    Location at = node.location();
    Location where = at;
    if (at.line() >= 1 && text.indexOf('\n') < 0) {
      where =
          new Location(
              at.source(),
              at.line(),
              at.column() + (node.quoted() ? 1 : 0) + text.codePointCount(0, offset));
    }
    problems.add(new Problem(where, node.path(), message));
  }

  private AiRouteOptions.@Nullable Guard guard(ConfigNode node) {
    if (!node.isObject()) {
      problems.expected(node, "an object with allow, deny, max-prompt-tokens and mask");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    List<Pattern> allow = patterns(r, "allow");
    List<Pattern> deny = patterns(r, "deny");
    int maxTokens = r.integer("max-prompt-tokens", 0, 1, 10_000_000);
    AiRouteOptions.Mask mask = null;
    ConfigNode maskNode = r.child("mask");
    if (maskNode != null) {
      if (!maskNode.isObject()) {
        problems.expected(maskNode, "an object with emails, cards and format");
      } else {
        ConfigReader m = ConfigReader.of(maskNode, problems);
        boolean emails = m.bool("emails", false);
        boolean cards = m.bool("cards", false);
        String format = m.string("format", DEFAULT_MASK_FORMAT);
        if (!emails && !cards) {
          problems.expected(maskNode, "emails: true or cards: true (or no mask)");
        }
        m.finish();
        mask = new AiRouteOptions.Mask(emails, cards, format);
      }
    }
    r.finish();
    return new AiRouteOptions.Guard(allow, deny, maxTokens, mask);
  }

  private List<Pattern> patterns(ConfigReader r, String key) {
    List<Pattern> out = new ArrayList<>();
    for (ConfigNode item : r.list(key)) {
      if (!item.isScalar()) {
        problems.expected(item, "a regular expression");
        continue;
      }
      try {
        out.add(Pattern.compile(item.scalarText()));
      } catch (PatternSyntaxException e) {
        problems.expected(item, "a Java regular expression (" + e.getDescription() + ")");
      }
    }
    return out;
  }

  private AiRouteOptions.@Nullable Cache cache(ConfigNode node) {
    if (!node.isObject()) {
      problems.expected(node, "an object with store, ttl and limits");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    String store = r.oneOf("store", "memory", List.of("memory", "redis"));
    Duration ttl = r.duration("ttl", DEFAULT_TTL, Duration.ofSeconds(1), Duration.ofDays(30));
    int maxEntries = r.integer("max-entries", DEFAULT_MAX_ENTRIES, 1, 10_000_000);
    long maxBytes = r.size("max-bytes", DEFAULT_MAX_BYTES, 1024, 1L << 34);
    boolean share = r.bool("share-across-consumers", false);
    String url = null;
    String prefix = "portico:";
    Duration timeout = DEFAULT_REDIS_TIMEOUT;
    ConfigNode redisNode = r.child("redis");
    if ("redis".equals(store)) {
      if (redisNode == null) {
        r.required("redis", "an object with url, and optionally prefix and timeout");
      } else {
        ConfigReader redis = ConfigReader.of(redisNode, problems);
        url = redis.requiredString("url", REDIS_RULE);
        if (url != null) {
          try {
            RedisURI.create(url);
          } catch (RuntimeException e) {
            redis.expected("url", REDIS_RULE);
            url = null;
          }
        }
        prefix = redis.string("prefix", prefix);
        timeout =
            redis.duration(
                "timeout", DEFAULT_REDIS_TIMEOUT, Duration.ofMillis(1), Duration.ofSeconds(10));
        redis.finish();
      }
    } else if (redisNode != null) {
      problems.expected(redisNode, "no redis with store memory");
    }
    r.finish();
    if ("redis".equals(store) && url == null) {
      return null;
    }
    return new AiRouteOptions.Cache(
        "redis".equals(store) ? AiRouteOptions.Store.REDIS : AiRouteOptions.Store.MEMORY,
        ttl,
        maxEntries,
        maxBytes,
        share,
        url,
        prefix,
        timeout);
  }
}
