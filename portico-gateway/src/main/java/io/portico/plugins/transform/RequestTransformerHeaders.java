package io.portico.plugins.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.portico.plugins.builtin.ConfigValues;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.template.Destination;
import io.portico.template.Scope;
import io.portico.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@code headers} section of request-transformer, applied in this order: {@code remove}, {@code
 * rename}, {@code set} (replace or create), {@code add} (only when absent), {@code append} (one
 * more value, always). Values are header {@link Template}s, all rendered before any edit, so each
 * sees the request's headers as they were when the plugin started. A value that renders empty
 * removes the header in {@code set} and adds nothing in {@code add} and {@code append}.
 *
 * @param remove names to remove
 * @param rename names to rename, each with every value it has
 * @param set headers to replace or create
 * @param add headers to create when absent
 * @param append values to add after any existing ones
 */
record RequestTransformerHeaders(
    List<AsciiString> remove,
    List<Rename> rename,
    List<Edit> set,
    List<Edit> add,
    List<Edit> append) {

  /** A header renamed from {@code from} to {@code to}. */
  record Rename(AsciiString from, AsciiString to) {}

  /** A header written with a templated value. */
  record Edit(AsciiString name, Template value) {}

  static final RequestTransformerHeaders NONE =
      new RequestTransformerHeaders(List.of(), List.of(), List.of(), List.of(), List.of());

  RequestTransformerHeaders {
    remove = List.copyOf(remove);
    rename = List.copyOf(rename);
    set = List.copyOf(set);
    add = List.copyOf(add);
    append = List.copyOf(append);
  }

  static RequestTransformerHeaders parse(ConfigReader reader, Scope scope) {
    Problems problems = reader.problems();
    List<AsciiString> remove = new ArrayList<>();
    for (ConfigNode item : ConfigValues.strings(reader, "remove")) {
      if (ConfigValues.checkHeaderName(item.scalarText(), item, problems)) {
        remove.add(AsciiString.of(item.scalarText()));
      }
    }
    List<Rename> rename = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : ConfigValues.stringMap(reader, "rename").entrySet()) {
      ConfigNode node = e.getValue();
      if (ConfigValues.checkHeaderName(e.getKey(), node, problems)
          && ConfigValues.checkHeaderName(node.scalarText(), node, problems)) {
        rename.add(new Rename(AsciiString.of(e.getKey()), AsciiString.of(node.scalarText())));
      }
    }
    List<Edit> set = edits(reader, "set", scope);
    List<Edit> add = edits(reader, "add", scope);
    List<Edit> append = edits(reader, "append", scope);
    reader.finish();
    return new RequestTransformerHeaders(remove, rename, set, add, append);
  }

  private static List<Edit> edits(ConfigReader reader, String key, Scope scope) {
    Problems problems = reader.problems();
    List<Edit> out = new ArrayList<>();
    Map<String, String> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, ConfigNode> e : ConfigValues.stringMap(reader, key).entrySet()) {
      String name = e.getKey();
      ConfigNode node = e.getValue();
      if (!ConfigValues.checkHeaderName(name, node, problems)) {
        continue;
      }
      String previous = seen.putIfAbsent(name, name);
      if (previous != null) {
        problems.at(
            node,
            '"'
                + name
                + "\" (expected: each header once in "
                + key
                + "; \""
                + previous
                + "\" is there already)");
        continue;
      }
      Template value = Template.compile(node, scope, Destination.HEADER, problems);
      if (value != null) {
        out.add(new Edit(AsciiString.of(name), value));
      }
    }
    return out;
  }

  boolean isEmpty() {
    return remove.isEmpty()
        && rename.isEmpty()
        && set.isEmpty()
        && add.isEmpty()
        && append.isEmpty();
  }

  /** Every value of {@code set}, {@code add} and {@code append}, in that order. */
  String[] render(Exchange exchange, @Nullable JsonNode body) {
    String[] values = new String[set.size() + add.size() + append.size()];
    int i = 0;
    for (List<Edit> edits : List.of(set, add, append)) {
      for (Edit edit : edits) {
        values[i++] = edit.value().renderString(exchange, body);
      }
    }
    return values;
  }

  /** Applies the edits with the values {@link #render} returned. */
  void apply(HttpHeaders headers, String[] values) {
    for (AsciiString name : remove) {
      headers.remove(name);
    }
    for (Rename r : rename) {
      List<String> moved = headers.getAll(r.from());
      if (!moved.isEmpty()) {
        headers.remove(r.from());
        headers.set(r.to(), moved);
      }
    }
    int i = 0;
    for (Edit edit : set) {
      String value = values[i++];
      if (value.isEmpty()) {
        headers.remove(edit.name());
      } else {
        headers.set(edit.name(), value);
      }
    }
    for (Edit edit : add) {
      String value = values[i++];
      if (!value.isEmpty() && !headers.contains(edit.name())) {
        headers.set(edit.name(), value);
      }
    }
    for (Edit edit : append) {
      String value = values[i++];
      if (!value.isEmpty()) {
        headers.add(edit.name(), value);
      }
    }
  }
}
