package io.portico.plugin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;

/** A test plugin with a required and an optional key; leaves {@code finish()} to the parser. */
public final class TestHeaderPluginFactory
    implements PluginFactory<TestHeaderPluginFactory.Config> {

  /** The parsed config. */
  public record Config(String name, String value) {}

  @Override
  public String name() {
    return "test-header";
  }

  @Override
  public int priority() {
    return 500;
  }

  @Override
  public Config parse(ConfigReader config) {
    String name = config.requiredString("name", "a header name");
    String value = config.string("value", "");
    return name == null ? null : new Config(name, value);
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return Set::of;
  }
}
