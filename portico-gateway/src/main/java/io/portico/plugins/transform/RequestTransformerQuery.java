package io.portico.plugins.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.plugins.builtin.ConfigValues;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.template.Destination;
import io.portico.template.Encodings;
import io.portico.template.Scope;
import io.portico.template.Template;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code query} section of request-transformer, applied to the query forwarded upstream in this
 * order: {@code remove}, {@code rename}, {@code set} (replace the first value and drop the others,
 * or create), {@code add} (only when absent). Parameters are matched by their decoded name; the
 * ones no edit touches are forwarded byte for byte as the client wrote them. Values are URI {@link
 * Template}s (each value percent-encoded as one query value); names are encoded likewise. A value
 * that renders empty removes the parameter in {@code set} and adds nothing in {@code add}.
 *
 * @param remove decoded names to remove
 * @param rename decoded names to rename, with every value kept
 * @param set parameters to replace or create
 * @param add parameters to create when absent
 */
record RequestTransformerQuery(
    Set<String> remove, List<Rename> rename, List<Edit> set, List<Edit> add) {

  /** A parameter renamed from {@code from} to {@code to} (encoded once, at load time). */
  record Rename(String from, String encodedTo) {}

  /** A parameter written with a templated value; {@code encodedName} is ready to write. */
  record Edit(String name, String encodedName, Template value) {}

  static final RequestTransformerQuery NONE =
      new RequestTransformerQuery(Set.of(), List.of(), List.of(), List.of());

  RequestTransformerQuery {
    remove = Set.copyOf(remove);
    rename = List.copyOf(rename);
    set = List.copyOf(set);
    add = List.copyOf(add);
  }

  static RequestTransformerQuery parse(ConfigReader reader, Scope scope) {
    Problems problems = reader.problems();
    Set<String> remove = new HashSet<>();
    for (ConfigNode item : ConfigValues.strings(reader, "remove")) {
      if (checkName(item.scalarText(), item, problems)) {
        remove.add(item.scalarText());
      }
    }
    List<Rename> rename = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : ConfigValues.stringMap(reader, "rename").entrySet()) {
      ConfigNode node = e.getValue();
      if (checkName(e.getKey(), node, problems) && checkName(node.scalarText(), node, problems)) {
        rename.add(new Rename(e.getKey(), encode(node.scalarText())));
      }
    }
    List<Edit> set = edits(reader, "set", scope);
    List<Edit> add = edits(reader, "add", scope);
    reader.finish();
    return new RequestTransformerQuery(remove, rename, set, add);
  }

  private static List<Edit> edits(ConfigReader reader, String key, Scope scope) {
    Problems problems = reader.problems();
    List<Edit> out = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : ConfigValues.stringMap(reader, key).entrySet()) {
      ConfigNode node = e.getValue();
      if (!checkName(e.getKey(), node, problems)) {
        continue;
      }
      Template value = Template.compile(node, scope, Destination.URI, problems);
      if (value != null) {
        out.add(new Edit(e.getKey(), encode(e.getKey()), value));
      }
    }
    return out;
  }

  private static boolean checkName(String name, ConfigNode node, Problems problems) {
    if (name.isEmpty()) {
      problems.at(node, "\"\" (expected: a query parameter name)");
      return false;
    }
    return true;
  }

  private static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    Encodings.appendUriComponent(out, name);
    return out.toString();
  }

  boolean isEmpty() {
    return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty();
  }

  /** Every value of {@code set} and {@code add}, in that order. */
  String[] render(Exchange exchange, @Nullable JsonNode body) {
    String[] values = new String[set.size() + add.size()];
    int i = 0;
    for (Edit edit : set) {
      values[i++] = edit.value().renderString(exchange, body);
    }
    for (Edit edit : add) {
      values[i++] = edit.value().renderString(exchange, body);
    }
    return values;
  }

  /**
   * The query with the edits applied, as raw query text without {@code ?}; empty when no parameter
   * is left.
   */
  String apply(@Nullable String rawQuery, String[] values) {
    List<String[]> pairs = new ArrayList<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String piece : rawQuery.split("&", -1)) {
        if (!piece.isEmpty()) {
          int eq = piece.indexOf('=');
          String rawName = eq < 0 ? piece : piece.substring(0, eq);
          // {decoded name, raw name, raw "=value" or ""}
          pairs.add(
              new String[] {
                QueryStringDecoder.decodeComponent(rawName),
                rawName,
                eq < 0 ? "" : piece.substring(eq)
              });
        }
      }
    }
    pairs.removeIf(p -> remove.contains(p[0]));
    for (Rename r : rename) {
      for (String[] p : pairs) {
        if (p[0].equals(r.from())) {
          p[1] = r.encodedTo();
          p[0] = QueryStringDecoder.decodeComponent(r.encodedTo());
        }
      }
    }
    int i = 0;
    for (Edit edit : set) {
      String value = values[i++];
      boolean written = false;
      for (var it = pairs.iterator(); it.hasNext(); ) {
        String[] p = it.next();
        if (p[0].equals(edit.name())) {
          if (written || value.isEmpty()) {
            it.remove();
          } else {
            p[1] = edit.encodedName();
            p[2] = "=" + value;
            written = true;
          }
        }
      }
      if (!written && !value.isEmpty()) {
        pairs.add(new String[] {edit.name(), edit.encodedName(), "=" + value});
      }
    }
    for (Edit edit : add) {
      String value = values[i++];
      if (!value.isEmpty() && pairs.stream().noneMatch(p -> p[0].equals(edit.name()))) {
        pairs.add(new String[] {edit.name(), edit.encodedName(), "=" + value});
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] p : pairs) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(p[1]).append(p[2]);
    }
    return out.toString();
  }
}
