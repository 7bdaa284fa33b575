package io.portico.plugins.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.List;

/** Loads plugins from literal configs and runs their phases the way the gateway does. */
final class PluginTesting {

  /** Where the tested configs sit in a document; every problem path starts with it. */
  static final String ROOT = "routes[0].plugins";

  /**
   * What parsing produced: the config (null when there were problems, since the gateway then
   * discards whatever {@code parse} returned) and the problems.
   */
  record Parsed<C>(C config, List<String> problems) {}

  private PluginTesting() {}

  /** Parses as the gateway does: {@code parse}, then {@code finish} for unknown keys. */
  static <C> Parsed<C> parse(PluginFactory<C> factory, Object config) {
    Problems problems = new Problems();
    ConfigReader reader =
        ConfigReader.of(ConfigNodes.of(ROOT + "." + factory.name(), config), problems);
    C parsed = factory.parse(reader);
    reader.finish();
    return new Parsed<>(
        problems.isEmpty() ? parsed : null,
        problems.list().stream().map(Problem::toString).toList());
  }

  /** The problems of a config that must not parse. */
  static List<String> problems(PluginFactory<?> factory, Object config) {
    Parsed<?> parsed = parse(factory, config);
    assertThat(parsed.problems()).as("problems of a config that must not parse").isNotEmpty();
    return parsed.problems();
  }

  /** A plugin from a config that must parse cleanly. */
  static <C> Plugin plugin(PluginFactory<C> factory, Object config) {
    Parsed<C> parsed = parse(factory, config);
    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.config()).isNotNull();
    return factory.create(parsed.config(), context());
  }

  static PluginContext context() {
    return new PluginContext() {
      @Override
      public EventLoopGroup eventLoops() {
        return new EmbeddedChannel().eventLoop();
      }

      @Override
      public String configSource() {
        return "portico.yaml";
      }
    };
  }

  /** Runs the request phases the plugin declares; returns the first outcome that is not proceed. */
  static Outcome request(Plugin plugin, TestExchange exchange) {
    if (plugin.phases().contains(Phase.REWRITE)) {
      Outcome outcome = plugin.rewrite(exchange);
      if (outcome != Outcome.proceed()) {
        return outcome;
      }
    }
    if (plugin.phases().contains(Phase.ACCESS)) {
      return plugin.access(exchange);
    }
    return Outcome.proceed();
  }

  /** Runs the response phase when the plugin declares it. */
  static void response(Plugin plugin, TestExchange exchange) {
    if (plugin.phases().contains(Phase.RESPONSE)) {
      plugin.response(exchange);
    }
  }
}
