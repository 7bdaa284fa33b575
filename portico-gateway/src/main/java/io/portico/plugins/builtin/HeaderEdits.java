package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
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
 * The config of {@code request-headers} and {@code response-headers}: headers to remove, to set and
 * to add, applied in that order.
 *
 * <p>Values are {@link Template}s for the {@link Destination#HEADER} destination
 * (docs/templates.md). A value that renders empty (no literal text and every variable missing)
 * removes the header in {@code set} and adds nothing in {@code add}, so a header the client sent
 * never survives a {@code set} whose source is missing.
 *
 * @param remove header names to remove
 * @param set headers whose values are replaced
 * @param add header values appended after any existing ones
 */
public record HeaderEdits(List<AsciiString> remove, List<Edit> set, List<Edit> add) {

  /** One header to write. */
  public record Edit(AsciiString name, Template value) {}

  public HeaderEdits {
    remove = List.copyOf(remove);
    set = List.copyOf(set);
    add = List.copyOf(add);
  }

  /**
   * Reads {@code remove}, {@code set} and {@code add} from {@code reader}, compiling values for
   * {@code scope}. Returns null when a problem was recorded.
   */
  public static @Nullable HeaderEdits parse(ConfigReader reader, Scope scope) {
    Problems problems = reader.problems();
    int before = problems.size();
    List<AsciiString> remove = new ArrayList<>();
    for (ConfigNode item : ConfigValues.strings(reader, "remove")) {
      if (ConfigValues.checkHeaderName(item.scalarText(), item, problems)) {
        remove.add(AsciiString.of(item.scalarText()));
      }
    }
    List<Edit> set = edits(reader, "set", scope, true);
    List<Edit> add = edits(reader, "add", scope, false);
    if (problems.size() == before && remove.isEmpty() && set.isEmpty() && add.isEmpty()) {
      problems.at(reader.node(), "no edits (expected: at least one header in remove, set or add)");
    }
    return problems.size() == before ? new HeaderEdits(remove, set, add) : null;
  }

  private static List<Edit> edits(ConfigReader reader, String key, Scope scope, boolean unique) {
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
      if (unique && previous != null) {
        problems.at(
            node,
            '"' + name + "\" (expected: each header once; \"" + previous + "\" is set already)");
        continue;
      }
      Template value = Template.compile(node, scope, Destination.HEADER, problems);
      if (value != null) {
        out.add(new Edit(AsciiString.of(name), value));
      }
    }
    return out;
  }

  /** Applies the edits to {@code headers}: remove, then set, then add. */
  public void apply(HttpHeaders headers, Exchange exchange) {
    for (AsciiString name : remove) {
      headers.remove(name);
    }
    for (Edit edit : set) {
      String value = edit.value().renderString(exchange);
      if (value.isEmpty()) {
        headers.remove(edit.name());
      } else {
        headers.set(edit.name(), value);
      }
    }
    for (Edit edit : add) {
      String value = edit.value().renderString(exchange);
      if (!value.isEmpty()) {
        headers.add(edit.name(), value);
      }
    }
  }
}
