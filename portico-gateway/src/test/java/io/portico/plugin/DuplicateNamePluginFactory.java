package io.portico.plugin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;

/** Claims the name of {@link TestHeaderPluginFactory}; registered only by jars tests write. */
public final class DuplicateNamePluginFactory implements PluginFactory<String> {

  @Override
  public String name() {
    return "test-header";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public String parse(ConfigReader config) {
    return "";
  }

  @Override
  public Plugin create(String config, PluginContext context) {
    return Set::of;
  }
}
