package io.portico.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import io.portico.template.Destination;
import io.portico.template.Scope;
import io.portico.template.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses a route's {@code aggregate} section into an {@link AggregateConfig}, recording every
 * problem with its position: unknown services (with a "did you mean"), duplicate backend names,
 * {@code after} naming an unknown backend or closing a cycle, conflicting merge rules.
 */
final class AggregateSection {

  private static final Pattern FIELD_PATH = Pattern.compile("[^.\\s]+(\\.[^.\\s]+)*");
  private static final Pattern NUMBER =
      Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

  private final Problems problems;
  private final Set<String> serviceNames;

  AggregateSection(Problems problems, Set<String> serviceNames) {
    this.problems = problems;
    this.serviceNames = serviceNames;
  }

  @Nullable AggregateConfig parse(ConfigNode node) {
    if (!node.isObject()) {
      problems.expected(
          node, "an object with backends, and optionally timeout, failure, max-body-size");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    Duration timeout =
        r.duration(
            "timeout",
            AggregateConfig.DEFAULT_TIMEOUT,
            Duration.ofMillis(1),
            ConfigReader.MAX_DURATION);
    String failure = r.oneOf("failure", "partial", List.of("partial", "strict"));
    long maxBodySize =
        r.size("max-body-size", AggregateConfig.DEFAULT_MAX_BODY_SIZE, 1, Integer.MAX_VALUE);
    List<BackendConfig> backends = new ArrayList<>();
    ConfigNode list = r.required("backends", "a list of backends");
    if (list != null) {
      if (!list.isList() || list.items().isEmpty()) {
        problems.expected(list, "a list of at least one backend");
      } else {
        Map<String, ConfigNode> names = new HashMap<>();
        List<Draft> drafts = new ArrayList<>();
        for (ConfigNode item : list.items()) {
          Draft d = backend(item, names);
          if (d != null) {
            drafts.add(d);
            if (d.backend() != null) {
              backends.add(d.backend());
            }
          }
        }
        checkAfter(drafts, names.keySet());
      }
    }
    r.finish();
    return new AggregateConfig(
        timeout,
        AggregateConfig.FailureMode.valueOf(failure.toUpperCase(Locale.ROOT)),
        maxBodySize,
        List.copyOf(backends),
        node);
  }

  /**
   * A backend as read: its name and {@code after} (checked across the aggregate even when the
   * backend has other problems), and the backend itself when it is complete.
   */
  private record Draft(
      @Nullable String name,
      List<String> after,
      ConfigNode node,
      @Nullable BackendConfig backend) {}

  private @Nullable Draft backend(ConfigNode item, Map<String, ConfigNode> names) {
    if (!item.isObject()) {
      problems.expected(item, "a backend: an object with name, service and path");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    ConfigNode nameNode = r.required("name", ConfigParser.NAME_RULE);
    String name = null;
    if (nameNode != null) {
      if (nameNode.isScalar() && SectionReaders.NAME.matcher(nameNode.scalarText()).matches()) {
        name = nameNode.scalarText();
        ConfigNode first = names.putIfAbsent(name, nameNode);
        if (first != null) {
          problems.expected(
              nameNode,
              "a backend name not used before in this aggregate; " + first.path() + " has it");
        }
      } else {
        problems.expected(nameNode, ConfigParser.NAME_RULE);
      }
    }
    String service =
        SectionReaders.serviceReference(
            r.required("service", "the name of a service"), serviceNames, problems);
    List<String> after = new ArrayList<>(r.strings("after"));
    Set<String> readable = new LinkedHashSet<>(after);
    Template method = method(item, r.child("method"), readable);
    Template path = path(r.required("path", "a path starting with /"), readable);
    Map<String, Template> headers = headers(r.child("headers"), readable);
    Map<String, Template> query = query(r.child("query"), readable);
    ConfigNode bodyNode = r.child("body");
    BackendBody body = null;
    if (bodyNode != null && !bodyNode.isNull()) {
      if (bodyNode.isScalar()) {
        Template t = template(bodyNode, Destination.TEXT, readable);
        body = t == null ? null : BackendBody.text(t);
      } else {
        boolean[] constant = {true};
        BackendBody.Piece piece = piece(bodyNode, readable, constant);
        body = piece == null ? null : BackendBody.json(piece, constant[0]);
      }
    }
    Duration timeout = r.duration("timeout", null, Duration.ofMillis(1), ConfigReader.MAX_DURATION);
    boolean required = r.bool("required", false);
    String target = r.string("target", null);
    if (target != null && (target.isEmpty() || (!target.startsWith("/") && target.contains("/")))) {
      r.expected("target", "a member name or a JSON Pointer such as /data/items");
      target = null;
    }
    List<String> allow = fieldPaths(r, "allow");
    List<String> deny = fieldPaths(r, "deny");
    if (!allow.isEmpty() && !deny.isEmpty()) {
      r.expected("deny", "either allow or deny, not both");
    }
    Map<String, String> rename = r.stringMap("rename");
    String group = r.string("group", null);
    String collection = r.string("collection", null);
    if (group != null && collection != null) {
      r.expected("collection", "either group or collection, not both");
    }
    if (group != null && group.isEmpty()) {
      r.expected("group", "a non-empty key");
    }
    if (collection != null && collection.isEmpty()) {
      r.expected("collection", "a non-empty key");
    }
    r.finish();
    BackendConfig backend =
        name == null || service == null || method == null || path == null
            ? null
            : new BackendConfig(
                name,
                service,
                method,
                path,
                headers,
                query,
                body,
                timeout,
                required,
                List.copyOf(after),
                new BackendConfig.MergeRule(
                    target, allow, deny, Collections.unmodifiableMap(rename), group, collection),
                item);
    return new Draft(name, List.copyOf(after), item, backend);
  }

  /** The method: a constant checked now, or a template checked when rendered. */
  private @Nullable Template method(
      ConfigNode item, @Nullable ConfigNode node, Set<String> readable) {
    ConfigNode at =
        node == null
            ? ConfigNode.scalar(item.path() + ".method", item.location(), "GET", false)
            : node;
    String text = at.isScalar() ? at.text() : null;
    if (text != null
        && !text.contains("${")
        && (!ConfigParser.METHODS.contains(text)
            || "CONNECT".equals(text)
            || "TRACE".equals(text))) {
      problems.expected(
          at, "an upper-case HTTP method other than CONNECT and TRACE: GET, POST, PUT, ...");
      return null;
    }
    return template(at, Destination.HEADER, readable);
  }

  /** The path: literal text starting with /, values percent-encoded as path segments. */
  private @Nullable Template path(@Nullable ConfigNode node, Set<String> readable) {
    if (node == null) {
      return null;
    }
    String text = node.isScalar() ? node.text() : null;
    if (text == null || !text.startsWith("/")) {
      problems.expected(node, "a path starting with /, without spaces");
      return null;
    }
    return template(node, Destination.URI, readable);
  }

  private @Nullable Template template(
      ConfigNode node, Destination destination, Set<String> readable) {
    return Template.compile(node, Scope.BACKEND_REQUEST, destination, readable, problems);
  }

  private Map<String, Template> headers(@Nullable ConfigNode node, Set<String> readable) {
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.expected(node, "an object of header-name: value");
      return Map.of();
    }
    Map<String, Template> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      if (!SectionReaders.TOKEN.matcher(e.getKey()).matches()) {
        problems.at(e.getValue(), '"' + e.getKey() + "\" (expected: a header name)");
      } else if (!e.getValue().isScalar()) {
        problems.expected(e.getValue(), "a header value");
      } else {
        Template t = template(e.getValue(), Destination.HEADER, readable);
        if (t != null) {
          out.put(e.getKey(), t);
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private Map<String, Template> query(@Nullable ConfigNode node, Set<String> readable) {
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.expected(node, "an object of parameter: value");
      return Map.of();
    }
    Map<String, Template> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      if (!e.getValue().isScalar()) {
        problems.expected(e.getValue(), "a value");
      } else {
        Template t = template(e.getValue(), Destination.TEXT, readable);
        if (t != null) {
          out.put(e.getKey(), t);
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * A YAML object or list as a JSON body: strings holding {@code ${} are templates, every other
   * scalar keeps its YAML type. Clears {@code constant[0]} when a template was found.
   */
  private BackendBody.@Nullable Piece piece(
      ConfigNode node, Set<String> readable, boolean[] constant) {
    if (node.isObject()) {
      Map<String, BackendBody.Piece> members = new LinkedHashMap<>();
      boolean ok = true;
      for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
        BackendBody.Piece p = piece(e.getValue(), readable, constant);
        ok &= p != null;
        members.put(e.getKey(), p);
      }
      return ok ? new BackendBody.Members(Collections.unmodifiableMap(members)) : null;
    }
    if (node.isList()) {
      List<BackendBody.Piece> items = new ArrayList<>();
      boolean ok = true;
      for (ConfigNode item : node.items()) {
        BackendBody.Piece p = piece(item, readable, constant);
        ok &= p != null;
        items.add(p);
      }
      return ok ? new BackendBody.Items(Collections.unmodifiableList(items)) : null;
    }
    if (node.isScalar() && node.text() != null && node.text().contains("${")) {
      constant[0] = false;
      Template t = template(node, Destination.TEXT, readable);
      return t == null ? null : new BackendBody.Text(t);
    }
    return new BackendBody.Fixed(scalar(node));
  }

  private static JsonNode scalar(ConfigNode node) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (node.isNull()) {
      return f.nullNode();
    }
    String t = node.scalarText();
    if (node.quoted()) {
      return f.textNode(t);
    } else if (t.equals("true") || t.equals("false")) {
      return f.booleanNode(Boolean.parseBoolean(t));
    } else if (t.equals("null") || t.equals("~")) {
      return f.nullNode();
    } else if (NUMBER.matcher(t).matches()) {
      return f.numberNode(new java.math.BigDecimal(t));
    }
    return f.textNode(t);
  }

  private List<String> fieldPaths(ConfigReader r, String key) {
    List<String> out = new ArrayList<>();
    ConfigNode node = r.child(key);
    if (node == null) {
      return out;
    }
    List<ConfigNode> items = node.isList() ? node.items() : List.of(node);
    for (ConfigNode item : items) {
      if (item.isScalar() && FIELD_PATH.matcher(item.text()).matches()) {
        out.add(item.text());
      } else {
        problems.expected(item, "a field path such as name or address.city");
      }
    }
    return List.copyOf(out);
  }

  /** Each {@code after} names a backend of this aggregate, and no chain of them loops. */
  private void checkAfter(List<Draft> backends, Set<String> names) {
    Map<String, Draft> byName = new LinkedHashMap<>();
    for (Draft b : backends) {
      if (b.name() != null) {
        byName.putIfAbsent(b.name(), b);
      }
    }
    for (Draft b : backends) {
      // present whenever b.after() is not empty
      ConfigNode afterNode = b.node().fields().getOrDefault("after", b.node());
      for (String dependency : b.after()) {
        if (!names.contains(dependency)) {
          String hint = Suggestions.closest(dependency, names);
          problems.at(
              afterNode,
              "\""
                  + dependency
                  + "\" (expected: the name of another backend of this aggregate: "
                  + String.join(", ", names)
                  + ")"
                  + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
        } else if (dependency.equals(b.name())) {
          problems.at(afterNode, "\"" + dependency + "\" (expected: a backend other than itself)");
        }
      }
    }
    Set<String> reported = new LinkedHashSet<>();
    for (Draft b : backends) {
      String name = b.name();
      if (name == null || reported.contains(name)) {
        continue;
      }
      List<String> cycle = cycleFrom(name, byName, new ArrayList<>(), new LinkedHashSet<>());
      if (cycle != null && cycle.size() > 2) {
        reported.addAll(cycle);
        problems.at(
            b.node().fields().getOrDefault("after", b.node()),
            "after: "
                + String.join(" -> ", cycle)
                + " (expected: no cycle; a backend cannot wait for one that waits for it)");
      }
    }
  }

  /** The cycle through {@code start}, as a path start -> ... -> start, or null. */
  private static @Nullable List<String> cycleFrom(
      String current, Map<String, Draft> byName, List<String> path, Set<String> visited) {
    if (!path.isEmpty() && current.equals(path.get(0))) {
      List<String> cycle = new ArrayList<>(path);
      cycle.add(current);
      return cycle;
    }
    if (!visited.add(current)) {
      return null;
    }
    Draft b = byName.get(current);
    if (b == null) {
      return null;
    }
    path.add(current);
    for (String next : b.after()) {
      if (next.equals(current)) {
        continue;
      }
      List<String> found = cycleFrom(next, byName, path, visited);
      if (found != null) {
        return found;
      }
    }
    path.remove(path.size() - 1);
    return null;
  }
}
