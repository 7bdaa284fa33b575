package io.portico.plugins.transform;

import io.netty.util.AsciiString;
import io.portico.plugins.builtin.HeaderEdits;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.template.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code response-transformer}: maps the upstream's status, edits the response headers (remove,
 * rename, set, add) and rewrites a JSON body (allow and deny lists, rename, set, wrap, unwrap),
 * streaming, for the statuses and content types its {@code when} names. See {@code
 * docs/plugins/response-transformer.md}.
 */
public final class ResponseTransformerFactory
    implements PluginFactory<ResponseTransformerFactory.Config> {

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
  private static final Pattern NUMBER =
      Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  /**
   * One rule: its {@code when} and its edits.
   *
   * @param statusMap upstream status to client status (applies whatever {@code when} says)
   * @param statuses upstream statuses the rule's edits apply to (empty: every status)
   * @param contentTypes media types whose bodies are rewritten (lower case, no parameters)
   * @param typesGiven whether {@code when.content-types} was given: then the rule's header edits,
   *     too, apply only to those types
   * @param headers header remove, set and add, or null
   * @param rename header renames, old name to new
   * @param json the JSON edits, or null for none
   */
  public record Rule(
      Map<Integer, Integer> statusMap,
      Set<Integer> statuses,
      List<String> contentTypes,
      boolean typesGiven,
      @Nullable HeaderEdits headers,
      Map<AsciiString, AsciiString> rename,
      @Nullable ResponseTransformerJson json) {}

  /**
   * The compiled config.
   *
   * @param rules the rules in order: the top-level keys (when given) first, then {@code rules}
   * @param maxBodySize the largest body rewritten
   * @param passTooLarge send a larger body untransformed (else 502)
   * @param passMalformed send a body that is not JSON untransformed (else 502)
   */
  public record Config(
      List<Rule> rules, int maxBodySize, boolean passTooLarge, boolean passMalformed) {

    /** Whether a rule rewrites JSON bodies. */
    public boolean rewritesBodies() {
      return rules.stream().anyMatch(r -> r.json() != null);
    }
  }

  @Override
  public String name() {
    return "response-transformer";
  }

  @Override
  public int priority() {
    return 790;
  }

  private static final List<String> RULE_KEYS = List.of("status", "when", "headers", "json");

  @Override
  public @Nullable Config parse(ConfigReader config) {
    Problems problems = config.problems();
    int before = problems.size();
    List<Rule> rules = new ArrayList<>();
    if (RULE_KEYS.stream().anyMatch(config::has)) {
      Rule top = rule(config);
      if (top != null) {
        rules.add(top);
      }
    }
    ConfigNode list = config.child("rules");
    if (list != null) {
      if (!list.isList() || list.items().isEmpty()) {
        problems.expected(list, "a list of rules, each with when, status, headers or json");
      } else {
        for (ConfigNode item : list.items()) {
          if (!item.isObject()) {
            problems.expected(item, "a rule: an object with when, status, headers or json");
            continue;
          }
          ConfigReader r = ConfigReader.of(item, problems);
          Rule rule = rule(r);
          r.finish();
          if (rule != null) {
            rules.add(rule);
          }
        }
      }
    }
    int maxBodySize = (int) config.size("max-body-size", 1024 * 1024, 1, 1L << 30);
    boolean passTooLarge =
        "pass".equals(config.oneOf("on-too-large", "error", List.of("pass", "error")));
    boolean passMalformed =
        "pass".equals(config.oneOf("on-malformed", "error", List.of("pass", "error")));
    config.finish();
    if (problems.size() == before && rules.isEmpty()) {
      problems.at(
          config.node(),
          "nothing to transform (expected: at least one of status, headers, json or rules)");
    }
    return problems.size() == before
        ? new Config(List.copyOf(rules), maxBodySize, passTooLarge, passMalformed)
        : null;
  }

  /** One rule's keys, read from {@code config}; null when it transforms nothing. */
  private static @Nullable Rule rule(ConfigReader config) {
    Problems problems = config.problems();
    Map<Integer, Integer> statusMap = statusMap(config);
    ConfigReader when = config.object("when");
    Set<Integer> statuses = new java.util.TreeSet<>();
    for (ConfigNode item : when.list("statuses")) {
      Integer s = status(item, problems);
      if (s != null) {
        statuses.add(s);
      }
    }
    List<String> contentTypes = new ArrayList<>();
    for (String type : when.strings("content-types")) {
      contentTypes.add(type.trim().toLowerCase(Locale.ROOT));
    }
    boolean typesGiven = !contentTypes.isEmpty();
    if (contentTypes.isEmpty()) {
      contentTypes.add("application/json");
      contentTypes.add("+json");
    }
    when.finish();
    HeaderEdits headers = null;
    Map<AsciiString, AsciiString> rename = new LinkedHashMap<>();
    if (config.has("headers")) {
      ConfigReader h = config.object("headers");
      for (Map.Entry<String, ConfigNode> e : h.object("rename").node().fields().entrySet()) {
        String to = e.getValue().text();
        if (!TOKEN.matcher(e.getKey()).matches() || to == null || !TOKEN.matcher(to).matches()) {
          problems.expected(e.getValue(), "a header name mapped to a header name");
        } else {
          rename.put(AsciiString.of(e.getKey()), AsciiString.of(to));
        }
      }
      if (h.has("remove") || h.has("set") || h.has("add")) {
        headers = HeaderEdits.parse(h, Scope.RESPONSE);
      }
      h.finish();
    }
    ResponseTransformerJson json = config.has("json") ? json(config.object("json")) : null;
    if (statusMap.isEmpty() && headers == null && rename.isEmpty() && json == null) {
      problems.at(
          config.node(), "a rule that transforms nothing (expected: status, headers or json)");
      return null;
    }
    return new Rule(
        Map.copyOf(statusMap),
        Set.copyOf(statuses),
        List.copyOf(contentTypes),
        typesGiven,
        headers,
        Map.copyOf(rename),
        json);
  }

  private static Map<Integer, Integer> statusMap(ConfigReader config) {
    Map<Integer, Integer> out = new LinkedHashMap<>();
    ConfigNode node = config.child("status");
    if (node == null) {
      return out;
    }
    if (!node.isObject()) {
      config.problems().expected(node, "an object of upstream status: client status");
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      Integer from = parseStatus(e.getKey());
      Integer to = status(e.getValue(), config.problems());
      if (from == null) {
        config.problems().at(e.getValue(), '"' + e.getKey() + "\" (expected: a status 100-599)");
      } else if (to != null) {
        out.put(from, to);
      }
    }
    return out;
  }

  private static @Nullable Integer status(ConfigNode node, Problems problems) {
    Integer s = node.isScalar() ? parseStatus(node.scalarText()) : null;
    if (s == null) {
      problems.expected(node, "a status 100-599");
    }
    return s;
  }

  private static @Nullable Integer parseStatus(String text) {
    if (text == null || !text.matches("[1-5][0-9][0-9]")) {
      return null;
    }
    return Integer.parseInt(text);
  }

  private static ResponseTransformerJson json(ConfigReader r) {
    Problems problems = r.problems();
    ResponseTransformerJson.Node root = new ResponseTransformerJson.Node();
    for (ConfigNode item : r.list("allow")) {
      List<String> path = path(item, problems);
      if (path != null) {
        ResponseTransformerJson.allow(root, path);
      }
    }
    for (ConfigNode item : r.list("deny")) {
      List<String> path = path(item, problems);
      if (path != null) {
        ResponseTransformerJson.at(root, path).deny = true;
      }
    }
    for (Map.Entry<String, ConfigNode> e : r.object("rename").node().fields().entrySet()) {
      List<String> path = ResponseTransformerJson.segments(e.getKey());
      String to = e.getValue().text();
      if (path == null || path.get(path.size() - 1).equals("[*]")) {
        problems.at(
            e.getValue(),
            '"' + e.getKey() + "\" (expected: " + ResponseTransformerJson.PATH_RULE + ")");
      } else if (to == null || to.isEmpty() || !e.getValue().isScalar()) {
        problems.expected(e.getValue(), "a member name");
      } else {
        ResponseTransformerJson.at(root, path).renameTo = to;
      }
    }
    for (Map.Entry<String, ConfigNode> e : r.object("set").node().fields().entrySet()) {
      List<String> path = ResponseTransformerJson.segments(e.getKey());
      if (path == null || path.get(path.size() - 1).equals("[*]")) {
        problems.at(
            e.getValue(),
            '"' + e.getKey() + "\" (expected: " + ResponseTransformerJson.PATH_RULE + ")");
        continue;
      }
      String raw = rawJson(e.getValue());
      if (raw == null) {
        problems.expected(e.getValue(), "a string, number, boolean or null");
        continue;
      }
      ResponseTransformerJson.at(root, path.subList(0, path.size() - 1))
          .sets
          .put(path.get(path.size() - 1), raw);
    }
    String wrap = r.string("wrap", null);
    String unwrap = r.string("unwrap", null);
    r.finish();
    return new ResponseTransformerJson(root, wrap, unwrap);
  }

  private static @Nullable List<String> path(ConfigNode item, Problems problems) {
    List<String> path =
        item.isScalar() ? ResponseTransformerJson.segments(item.scalarText()) : null;
    if (path == null || path.isEmpty()) {
      problems.expected(item, ResponseTransformerJson.PATH_RULE);
      return null;
    }
    return path;
  }

  /** A scalar as JSON: quoted text a string; unquoted true, false, null and numbers typed. */
  static @Nullable String rawJson(ConfigNode node) {
    if (node.isNull()) {
      return "null";
    }
    if (!node.isScalar()) {
      return null;
    }
    String text = node.scalarText();
    if (!node.quoted()) {
      if (text.equals("true") || text.equals("false") || text.equals("null")) {
        return text;
      }
      if (NUMBER.matcher(text).matches()) {
        return text;
      }
    }
    StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return new ResponseTransformerPlugin(config);
  }
}
