package io.portico.plugin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;

/** A test plugin that calls {@code finish()} itself, as the SPI's example shows. */
public final class TestFinishingPluginFactory implements PluginFactory<Integer> {

  @Override
  public String name() {
    return "test-finishing";
  }

  @Override
  public int priority() {
    return 400;
  }

  @Override
  public Integer parse(ConfigReader config) {
    int status = config.integer("status", 200, 100, 599);
    config.finish();
    return status;
  }

  @Override
  public Plugin create(Integer config, PluginContext context) {
    return Set::of;
  }
}
