package io.portico.app;

import io.portico.spi.config.ConfigNode;
import io.portico.store.ObjectJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a reload changed in the config file, for the log line that reports it: the services, routes
 * and consumers added, changed and removed, by name, and the other top-level sections that changed
 * ({@code routes hello changed, orders added; limits changed}). Objects are compared by their JSON
 * form ({@link ObjectJson#etag}), so moving an object, reordering its keys, or editing comments
 * changes nothing.
 *
 * <p>Stateless; called on the reloading thread.
 */
final class FileChanges {

  /** The top-level lists whose items are told apart by their {@code name}. */
  private static final Set<String> NAMED = Set.of("services", "routes", "consumers");

  private FileChanges() {}

  /** The changes from {@code before} to {@code after}; "no change" when there is none. */
  static String describe(@Nullable ConfigNode before, @Nullable ConfigNode after) {
    Map<String, ConfigNode> old = before == null ? Map.of() : before.fields();
    Map<String, ConfigNode> now = after == null ? Map.of() : after.fields();
    Set<String> keys = new LinkedHashSet<>(now.keySet());
    keys.addAll(old.keySet());
    List<String> parts = new ArrayList<>();
    List<String> sections = new ArrayList<>();
    for (String key : keys) {
      ConfigNode was = old.get(key);
      ConfigNode is = now.get(key);
      if (NAMED.contains(key) && isList(was) && isList(is)) {
        String objects = namedChanges(byName(was), byName(is));
        if (!objects.isEmpty()) {
          parts.add(key + " " + objects);
        }
      } else if (!Objects.equals(etag(was), etag(is))) {
        sections.add(key + (was == null ? " added" : is == null ? " removed" : " changed"));
      }
    }
    parts.addAll(sections);
    return parts.isEmpty() ? "no change" : String.join("; ", parts);
  }

  private static boolean isList(@Nullable ConfigNode node) {
    return node == null || node.isNull() || node.isList();
  }

  private static String namedChanges(Map<String, String> was, Map<String, String> is) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : is.entrySet()) {
      String before = was.get(e.getKey());
      if (before == null) {
        out.add(e.getKey() + " added");
      } else if (!before.equals(e.getValue())) {
        out.add(e.getKey() + " changed");
      }
    }
    for (String name : was.keySet()) {
      if (!is.containsKey(name)) {
        out.add(name + " removed");
      }
    }
    return String.join(", ", out);
  }

  /** Each item's etag by its name; an item without a name by its place ({@code #2}). */
  private static Map<String, String> byName(@Nullable ConfigNode list) {
    Map<String, String> out = new LinkedHashMap<>();
    if (list == null) {
      return out;
    }
    List<ConfigNode> items = list.items();
    for (int i = 0; i < items.size(); i++) {
      ConfigNode item = items.get(i);
      ConfigNode name = item.fields().get("name");
      String key = name != null && name.isScalar() ? name.scalarText() : "#" + i;
      out.put(key, ObjectJson.etag(item));
    }
    return out;
  }

  private static @Nullable String etag(@Nullable ConfigNode node) {
    return node == null || node.isNull() ? null : ObjectJson.etag(node);
  }
}
