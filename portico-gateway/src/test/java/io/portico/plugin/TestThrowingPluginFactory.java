package io.portico.plugin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;

/** A test plugin whose config parsing has a bug. */
public final class TestThrowingPluginFactory implements PluginFactory<Object> {

  @Override
  public String name() {
    return "test-throwing";
  }

  @Override
  public int priority() {
    return 300;
  }

  @Override
  public Object parse(ConfigReader config) {
    throw new IllegalStateException("bug in the plugin");
  }

  @Override
  public Plugin create(Object config, PluginContext context) {
    throw new UnsupportedOperationException();
  }
}
