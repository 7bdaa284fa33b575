package io.portico.plugins.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.spi.plugin.PluginFactory;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BuiltinPluginsTest {

  @Test
  void serviceLoaderFindsEveryBuiltInPluginUnderAUniqueName() {
    List<PluginFactory<?>> factories =
        ServiceLoader.load(PluginFactory.class).stream()
            .<PluginFactory<?>>map(ServiceLoader.Provider::get)
            .toList();
    List<String> names = factories.stream().map(PluginFactory::name).toList();
    Map<String, Integer> priorities =
        factories.stream()
            .filter(f -> f.getClass().getPackage().equals(BuiltinPluginsTest.class.getPackage()))
            .collect(Collectors.toMap(PluginFactory::name, PluginFactory::priority));

    assertThat(names).doesNotHaveDuplicates();
    assertThat(priorities)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "request-id", 3100,
                "ip-restriction", 3000,
                "cors", 2500,
                "request-headers", 801,
                "response-headers", 800,
                "echo", 100,
                "mock", 90));
  }
}
