package io.portico.plugins.auth;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Reads the consumers of a config for an authentication plugin, at creation time. */
public final class Consumers {

  private Consumers() {}

  /**
   * The identity of {@code consumer}, authenticated by {@code method} with {@code credentialId}.
   */
  public static Identity identity(
      ConsumerSpec consumer, @Nullable String credentialId, String method, boolean anonymous) {
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
  public static @Nullable Identity anonymous(
      AuthSettings settings, PluginContext context, String method) {
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
   * The lookup table of an authentication scheme: every credential under the key a request is
   * looked up by ({@code key}), holding {@code value}. Every key belongs to one consumer: the same
   * key given to two consumers would make the caller ambiguous, and is refused. A key a consumer
   * lists twice counts once (the first is kept).
   *
   * @param describe names a credential in the message, e.g. {@code basic-auth user name "ann"}
   * @param rule what the message expects, e.g. {@code every user name unique}
   * @throws IllegalArgumentException {@code consumers: <description> is given to "<first>" and
   *     "<second>" (expected: <rule>)}
   */
  public static <T, V> Map<String, V> index(
      List<Credential<T>> credentials,
      Function<T, String> key,
      Function<Credential<T>, V> value,
      Function<T, String> describe,
      String rule) {
    Map<String, V> values = new HashMap<>();
    Map<String, String> owners = new HashMap<>();
    for (Credential<T> c : credentials) {
      String k = key.apply(c.value());
      String owner = owners.putIfAbsent(k, c.consumer().name());
      if (owner == null) {
        values.put(k, value.apply(c));
      } else if (!owner.equals(c.consumer().name())) {
        throw new IllegalArgumentException(
            "consumers: "
                + describe.apply(c.value())
                + " is given to \""
                + owner
                + "\" and \""
                + c.consumer().name()
                + "\" (expected: "
                + rule
                + ")");
      }
    }
    return Map.copyOf(values);
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
