package io.portico.snapshot;

import io.portico.config.GatewayConfig;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problem;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Places the problems found while compiling a config (a service's CA bundle that does not load, an
 * AI provider's key that cannot be read) at the named object they are about, as the parser places
 * its own: at the line and column of the key in the config file, with the path {@code
 * services[2].tls}; or, for an object written through the admin API, at the key in that object's
 * stored JSON, named by its admin path, with the path within the object ({@code
 * /services/billing:1:40: $.tls: ...}).
 *
 * <p>Stateless.
 */
final class ObjectProblems {

  private static final Pattern STEP = Pattern.compile("([^.\\[]+)|\\[(\\d+)]");

  private ObjectProblems() {}

  /**
   * A problem about {@code key} (such as {@code tls} or {@code keys[0]}) of the object named {@code
   * name} in the list at {@code section} ({@code services}, {@code ai.providers}): at the deepest
   * node of {@code key} the object has. When the config has no such object, at the config's root
   * with the path {@code section.name.key}.
   */
  static Problem at(GatewayConfig config, String section, String name, String key, String message) {
    ConfigNode root = config.source();
    ConfigNode object = find(root, section, name);
    if (object == null) {
      return new Problem(root.location(), section + "." + name + "." + key, message);
    }
    ConfigNode at = object;
    Matcher m = STEP.matcher(key);
    while (m.find()) {
      ConfigNode next = null;
      if (m.group(1) != null && at.isObject()) {
        next = at.fields().get(m.group(1));
      } else if (m.group(2) != null && at.isList()) {
        int i = Integer.parseInt(m.group(2));
        next = i < at.items().size() ? at.items().get(i) : null;
      }
      if (next == null) {
        break;
      }
      at = next;
    }
    return new Problem(at.location(), object.path() + "." + key, message);
  }

  /** The item named {@code name} of the list at the dotted {@code section}, or null. */
  private static @Nullable ConfigNode find(ConfigNode root, String section, String name) {
    ConfigNode list = root;
    for (String part : section.split("\\.")) {
      list = list != null && list.isObject() ? list.fields().get(part) : null;
    }
    if (list == null || !list.isList()) {
      return null;
    }
    for (ConfigNode item : list.items()) {
      ConfigNode itemName = item.isObject() ? item.fields().get("name") : null;
      if (itemName != null && itemName.isScalar() && name.equals(itemName.text())) {
        return item;
      }
    }
    return null;
  }
}
