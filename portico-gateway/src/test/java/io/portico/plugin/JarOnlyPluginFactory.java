package io.portico.plugin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;

/** Registered only by the service file of a jar that tests write into a plugin directory. */
public final class JarOnlyPluginFactory implements PluginFactory<String> {

  @Override
  public String name() {
    return "jar-only";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public String parse(ConfigReader config) {
    return config.string("greeting", "hello");
  }

  @Override
  public Plugin create(String config, PluginContext context) {
    return Set::of;
  }
}
