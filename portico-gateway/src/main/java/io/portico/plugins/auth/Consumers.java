package io.portico.plugins.auth;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Reads the consumers of a config for an authentication plugin, at creation time. */
public final class Consumers {

  private Consumers() {}

  /**
   * The identity of {@code consumer}, authenticated by {@code method} with {@code credentialId}.
   */
  public static Identity identity(
      ConsumerSpec consumer, String credentialId, String method, boolean anonymous) {
    return new Identity(
        consumer.name(),
        consumer.customId(),
        credentialId,
        Collections.unmodifiableSet(new LinkedHashSet<>(consumer.groups())),
        method,
        anonymous,
        Map.of());
  }

  /**
   * The anonymous identity named by {@code settings}, or null when none is configured.
   *
   * @throws IllegalArgumentException when no consumer has that name
   */
  public static Identity anonymous(AuthSettings settings, PluginContext context, String method) {
    if (settings.anonymous() == null) {
      return null;
    }
    for (ConsumerSpec c : context.consumers()) {
      if (settings.anonymous().equals(c.name())) {
        return identity(c, null, method, true);
      }
    }
    throw new IllegalArgumentException(
        "anonymous: \"" + settings.anonymous() + "\" (expected: the name of a consumer)");
  }

  /** A consumer's credential of one kind, parsed. */
  public record Credential<T>(ConsumerSpec consumer, T value) {}

  /**
   * Parses every consumer's credentials of kind {@code method} with {@code parser}, which reports
   * problems and returns the credentials it read (a list item or a single object each).
   *
   * @throws IllegalArgumentException with every problem when a credential is malformed (the config
   *     parser normally reported them already)
   */
  public static <T> List<Credential<T>> credentials(
      PluginContext context, String method, BiFunction<ConfigNode, Problems, List<T>> parser) {
    List<Credential<T>> out = new ArrayList<>();
    Problems problems = new Problems();
    for (ConsumerSpec c : context.consumers()) {
      ConfigNode node = c.credentials().get(method);
      if (node == null) {
        continue;
      }
      for (T value : parser.apply(node, problems)) {
        out.add(new Credential<>(c, value));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.render().strip());
    }
    return out;
  }

  /**
   * The items of a credential node: a list of objects, or one object read as a one-item list.
   * Anything else is reported.
   */
  public static List<ConfigNode> items(ConfigNode node, Problems problems, String rule) {
    if (node.isObject()) {
      return List.of(node);
    }
    if (node.isList()) {
      List<ConfigNode> out = new ArrayList<>();
      for (ConfigNode item : node.items()) {
        if (item.isObject()) {
          out.add(item);
        } else {
          problems.expected(item, rule);
        }
      }
      return out;
    }
    problems.expected(node, rule + ", or a list of them");
    return List.of();
  }
}
