package io.portico.store;

import io.portico.config.ConfigLoader;
import io.portico.config.LoadResult;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The config file with the {@link ObjectLayer} over it, as one document for the config parser:
 *
 * <pre>
 *   file (LoadResult) ──┐
 *                       ├─▶ merge ─▶ LoadResult ─▶ ConfigParser ─▶ GatewayConfig
 *   ObjectLayer ────────┘
 * </pre>
 *
 * In each of {@code services}, {@code routes}, {@code consumers}, {@code plugins}, {@code
 * ai.providers} and {@code ai.models}, the file's objects keep their place unless the layer
 * replaces them (in place) or deletes them; the layer's other objects follow, in the order they
 * were first written. The file's nodes keep their file, line, column and path; each layer object is
 * loaded from its stored JSON with the same loader as the file, its source named by its admin path
 * and its paths rooted at {@code $} ({@code /routes/users:1:21: $.paths[0]: ...}), so the parser's
 * problems say which object and where.
 *
 * <p>Everything else of the document (listeners, admin, limits, ...) is the file's alone.
 */
public final class LayeredConfig {

  private static final Location ADDED = new Location("<admin>", 0, 0);

  private LayeredConfig() {}

  /**
   * The merged document. Its text, from which the config version is computed, is the file's when
   * the layer is empty, so a gateway without API writes keeps its file's version.
   */
  public static LoadResult merge(LoadResult file, ObjectLayer layer, ConfigLoader loader) {
    ConfigNode root = file.root();
    if (root == null || !root.isObject() || layer.isEmpty()) {
      return file;
    }
    Problems problems = new Problems();
    file.problems().list().forEach(problems::add);
    Map<ObjectKey, ConfigNode> loaded = new LinkedHashMap<>();
    for (Map.Entry<ObjectKey, String> e : layer.objects().entrySet()) {
      LoadResult one = loader.load(e.getValue(), e.getKey().resource());
      one.problems().list().forEach(problems::add);
      ConfigNode node = one.root();
      if (node != null) {
        loaded.put(e.getKey(), ObjectJson.rebase(node, "$"));
      }
    }
    Map<String, ConfigNode> fields = new LinkedHashMap<>(root.fields());
    for (ObjectKind kind : ObjectKind.values()) {
      String inner = kind.field();
      if (inner == null) {
        ConfigNode section = fields.get(kind.section());
        ConfigNode merged = mergeSection(kind, section, layer, loaded);
        if (merged != null) {
          fields.put(kind.section(), merged);
        }
        continue;
      }
      ConfigNode outer = fields.get(kind.topLevel());
      if (outer != null && !outer.isObject()) {
        continue; // the parser reports the file's section as it is
      }
      ConfigNode section = outer == null ? null : outer.fields().get(inner);
      ConfigNode merged = mergeSection(kind, section, layer, loaded);
      if (merged != null) {
        Map<String, ConfigNode> outerFields =
            new LinkedHashMap<>(outer == null ? Map.of() : outer.fields());
        outerFields.put(inner, merged);
        fields.put(
            kind.topLevel(),
            ConfigNode.object(
                kind.topLevel(), outer == null ? ADDED : outer.location(), outerFields));
      }
    }
    StringBuilder text = new StringBuilder(file.text()).append("\n# admin API objects\n");
    layer.objects().forEach((k, v) -> text.append(k).append(' ').append(v).append('\n'));
    layer.deleted().forEach(k -> text.append(k).append(" deleted\n"));
    return new LoadResult(
        ConfigNode.object(root.path(), root.location(), fields), problems, text.toString());
  }

  private static @Nullable ConfigNode mergeSection(
      ObjectKind kind,
      @Nullable ConfigNode section,
      ObjectLayer layer,
      Map<ObjectKey, ConfigNode> loaded) {
    boolean touched =
        layer.deleted().stream().anyMatch(k -> k.kind() == kind)
            || loaded.keySet().stream().anyMatch(k -> k.kind() == kind);
    if (!touched) {
      return null;
    }
    if (kind.listed()) {
      if (section != null && !section.isList()) {
        return null; // the parser reports the file's section as it is
      }
      List<ConfigNode> items = new ArrayList<>();
      Map<ObjectKey, ConfigNode> pending = pendingOf(kind, loaded);
      if (section != null) {
        for (ConfigNode item : section.items()) {
          String name = nameOf(item);
          ObjectKey key = name == null ? null : new ObjectKey(kind, name);
          if (key != null && layer.deleted().contains(key)) {
            continue;
          }
          ConfigNode replacement = key == null ? null : pending.remove(key);
          items.add(replacement != null ? replacement : item);
        }
      }
      items.addAll(pending.values());
      String path = kind.field() == null ? kind.section() : kind.topLevel() + "." + kind.field();
      return ConfigNode.list(path, section == null ? ADDED : section.location(), items);
    }
    if (section != null && !section.isObject()) {
      return null;
    }
    Map<String, ConfigNode> plugins = new LinkedHashMap<>();
    Map<ObjectKey, ConfigNode> pending = pendingOf(kind, loaded);
    if (section != null) {
      for (Map.Entry<String, ConfigNode> e : section.fields().entrySet()) {
        ObjectKey key = new ObjectKey(kind, e.getKey());
        if (layer.deleted().contains(key)) {
          continue;
        }
        ConfigNode replacement = pending.remove(key);
        plugins.put(e.getKey(), replacement != null ? replacement : e.getValue());
      }
    }
    pending.forEach((k, v) -> plugins.put(k.name(), v));
    return ConfigNode.object(kind.section(), section == null ? ADDED : section.location(), plugins);
  }

  private static Map<ObjectKey, ConfigNode> pendingOf(
      ObjectKind kind, Map<ObjectKey, ConfigNode> loaded) {
    Map<ObjectKey, ConfigNode> out = new LinkedHashMap<>();
    loaded.forEach(
        (k, v) -> {
          if (k.kind() == kind) {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * The config objects of a document (the effective config's {@code source}, or a file), in
   * document order: named list items and global plugins. Items without a usable name are skipped.
   */
  public static Map<ObjectKey, ConfigNode> objects(@Nullable ConfigNode root) {
    Map<ObjectKey, ConfigNode> out = new LinkedHashMap<>();
    if (root == null || !root.isObject()) {
      return out;
    }
    for (ObjectKind kind : ObjectKind.values()) {
      ConfigNode section = root.fields().get(kind.topLevel());
      if (section != null && kind.field() != null) {
        section = section.isObject() ? section.fields().get(kind.field()) : null;
      }
      if (section == null) {
        continue;
      }
      if (kind.listed()) {
        for (ConfigNode item : section.items()) {
          String name = nameOf(item);
          if (name != null) {
            out.putIfAbsent(new ObjectKey(kind, name), item);
          }
        }
      } else {
        section.fields().forEach((k, v) -> out.putIfAbsent(new ObjectKey(kind, k), v));
      }
    }
    return out;
  }

  /** The {@code name} of a list item, or null when it has none that is a non-empty scalar. */
  public static @Nullable String nameOf(ConfigNode item) {
    ConfigNode name = item.fields().get("name");
    String text = name == null || !name.isScalar() ? null : name.text();
    return text == null || text.isEmpty() ? null : text;
  }
}
