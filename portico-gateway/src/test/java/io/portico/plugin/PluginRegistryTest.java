package io.portico.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {

  private final ClassLoader classPath = getClass().getClassLoader();

  @Test
  void findsFactoriesRegisteredWithServiceLoader() {
    PluginRegistry registry = PluginRegistry.load(classPath);

    assertThat(registry.names()).contains("test-header", "test-finishing", "test-throwing");
    assertThat(registry.names()).doesNotContain("jar-only");
    assertThat(registry.find("test-header")).isInstanceOf(TestHeaderPluginFactory.class);
    assertThat(registry.find("nope")).isNull();
  }

  /** A factory that exists only as source here, compiled into a jar by the test. */
  private static final String FROM_JAR =
      """
      package io.portico.testjar;

      import io.portico.spi.config.ConfigReader;
      import io.portico.spi.plugin.Plugin;
      import io.portico.spi.plugin.PluginContext;
      import io.portico.spi.plugin.PluginFactory;
      import java.util.Set;

      public final class FromJarPluginFactory implements PluginFactory<String> {
        @Override
        public String name() {
          return "from-jar";
        }

        @Override
        public int priority() {
          return 100;
        }

        @Override
        public String parse(ConfigReader config) {
          return config.string("greeting", "compiled into a jar");
        }

        @Override
        public Plugin create(String config, PluginContext context) {
          return Set::of;
        }
      }
      """;

  @Test
  void addsTheFactoriesOfEveryJarInAPluginDirectory(@TempDir Path dir) throws Exception {
    String className = "io.portico.testjar.FromJarPluginFactory";
    Path jar = PluginJars.compiled(dir.resolve("extra.jar"), className, FROM_JAR);
    Files.writeString(dir.resolve("README.txt"), "not a jar");
    assertThatThrownBy(() -> Class.forName(className, false, classPath))
        .as("the factory exists only in the jar")
        .isInstanceOf(ClassNotFoundException.class);

    PluginRegistry registry = PluginRegistry.load(dir, classPath);

    PluginFactory<?> fromJar = registry.find("from-jar");
    assertThat(fromJar).isNotNull();
    assertThat(fromJar.getClass().getName()).isEqualTo(className);
    assertThat(fromJar.getClass().getClassLoader()).isNotSameAs(classPath);
    assertThat(fromJar.getClass().getProtectionDomain().getCodeSource().getLocation().toURI())
        .isEqualTo(jar.toUri());
    assertThat(registry.find("test-header")).isNotNull();
  }

  @Test
  void readsAnEmptyPluginDirectoryAsTheParentAlone(@TempDir Path dir) {
    PluginRegistry registry = PluginRegistry.load(dir, classPath);

    assertThat(registry.names()).isEqualTo(PluginRegistry.load(classPath).names());
  }

  @Test
  void failsOnTwoFactoriesWithOneName(@TempDir Path dir) throws Exception {
    PluginJars.write(dir.resolve("clash.jar"), DuplicateNamePluginFactory.class);

    assertThatThrownBy(() -> PluginRegistry.load(dir, classPath))
        .isInstanceOf(PluginLoadException.class)
        .hasMessageContaining(
            "\"test-header\" by io.portico.plugin.TestHeaderPluginFactory and"
                + " io.portico.plugin.DuplicateNamePluginFactory")
        .hasMessageEndingWith("(expected: each plugin name registered once)");
  }

  @Test
  void failsOnAProviderThatCannotBeLoaded(@TempDir Path dir) throws Exception {
    PluginJars.write(dir.resolve("broken.jar"), "io.portico.plugin.NoSuchPluginFactory");

    assertThatThrownBy(() -> PluginRegistry.load(dir, classPath))
        .isInstanceOf(PluginLoadException.class)
        .hasMessageStartingWith("a plugin factory could not be loaded");
  }

  @Test
  void keepsFactoriesGivenDirectlyWhenAddingAPluginDirectory(@TempDir Path dir) throws Exception {
    PluginJars.write(dir.resolve("extra.jar"), JarOnlyPluginFactory.class);
    PluginRegistry given = PluginRegistry.of(List.of(new TestThrowingPluginFactory()));

    PluginRegistry registry = given.withPluginDir(dir);

    assertThat(registry.names()).contains("test-throwing", "jar-only", "test-header");
  }

  @Test
  void failsWhenAJarClaimsTheNameOfAFactoryGivenDirectly(@TempDir Path dir) throws Exception {
    PluginJars.write(dir.resolve("extra.jar"), JarOnlyPluginFactory.class);
    PluginRegistry given = PluginRegistry.of(List.of(new NamedFactory("jar-only")));

    assertThatThrownBy(() -> given.withPluginDir(dir))
        .isInstanceOf(PluginLoadException.class)
        .hasMessageContaining("\"jar-only\"");
  }

  @Test
  void failsOnDuplicateNamesGivenDirectly() {
    assertThatThrownBy(
            () ->
                PluginRegistry.of(
                    List.of(new TestHeaderPluginFactory(), new DuplicateNamePluginFactory())))
        .isInstanceOf(PluginLoadException.class);
  }

  @Test
  void listsNamesSorted() {
    PluginRegistry registry =
        PluginRegistry.of(List.of(new TestHeaderPluginFactory(), new JarOnlyPluginFactory()));

    assertThat(registry.names()).containsExactly("jar-only", "test-header");
  }

  /** A factory with only a name. */
  private record NamedFactory(String name) implements PluginFactory<String> {

    @Override
    public int priority() {
      return 0;
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
}
