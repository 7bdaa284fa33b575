package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.DuplicateNamePluginFactory;
import io.portico.plugin.JarOnlyPluginFactory;
import io.portico.plugin.PluginJars;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

  private static final String TLS_LISTENER =
      """
      listeners:
        - address: 127.0.0.1:8443
          tls:
            certificates:
              - cert: certs/api.pem
                key: certs/api.key
                server-names: [ api.example.com, "*.example.org" ]
      """;

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @TempDir Path dir;
  private Path configDir;

  @BeforeEach
  void createConfigDirectory() throws Exception {
    configDir = Files.createDirectories(dir.resolve("etc"));
  }

  private ConfigResult load(String yaml) throws Exception {
    Path file = configDir.resolve("portico.yaml");
    Files.writeString(file, yaml);
    return ConfigFiles.load(file, Map.of(), registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void loadsTheMinimalFile() throws Exception {
    ConfigResult result = load(ConfigParserTest.MINIMAL);

    assertThat(problems(result)).isEmpty();
    assertThat(result.config().routes()).hasSize(1);
  }

  @Test
  void resolvesTlsFilesAgainstTheConfigDirectory() throws Exception {
    Files.createDirectories(configDir.resolve("certs"));
    Files.writeString(configDir.resolve("certs/api.pem"), "cert");
    Files.writeString(configDir.resolve("certs/api.key"), "key");

    ConfigResult result = load(TLS_LISTENER);

    assertThat(problems(result)).isEmpty();
    ListenerConfig listener = result.config().listeners().get(0);
    assertThat(listener.name()).isEqualTo("https-8443");
    TlsConfig.Certificate certificate = listener.tls().certificates().get(0);
    assertThat(certificate.certFile()).isEqualTo(configDir.resolve("certs/api.pem"));
    assertThat(certificate.keyFile()).isEqualTo(configDir.resolve("certs/api.key"));
    assertThat(certificate.serverNames()).containsExactly("api.example.com", "*.example.org");
    assertThat(listener.tls().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void reportsMissingTlsFiles() throws Exception {
    Files.createDirectories(configDir.resolve("certs"));
    Files.writeString(configDir.resolve("certs/api.pem"), "cert");

    ConfigResult result = load(TLS_LISTENER);

    Path file = configDir.resolve("portico.yaml");
    assertThat(problems(result))
        .containsExactly(
            file
                + ":6:16: listeners[0].tls.certificates[0].key: \"certs/api.key\" (expected: a"
                + " readable PEM file; "
                + configDir.resolve("certs/api.key")
                + " does not exist)");
  }

  @Test
  void reportsTlsShapeProblems() throws Exception {
    ConfigResult result =
        load(
            """
            listeners:
              - address: 127.0.0.1:8443
                tls:
                  certificates: []
                  protocols: [ TLSv1.1 ]
            """);

    Path file = configDir.resolve("portico.yaml");
    assertThat(problems(result))
        .containsExactly(
            file
                + ":4:21: listeners[0].tls.certificates: a list (expected: at least one"
                + " certificate)",
            file
                + ":5:20: listeners[0].tls.protocols[0]: \"TLSv1.1\" (expected: one of TLSv1.3,"
                + " TLSv1.2)");
  }

  @Test
  void reportsAMissingConfigFile() {
    Path file = configDir.resolve("absent.yaml");

    ConfigResult result = ConfigFiles.load(file, Map.of(), registry);

    assertThat(result.ok()).isFalse();
    assertThat(problems(result))
        .containsExactly(file + ": no such file (expected: a readable YAML or JSON file)");
  }

  @Test
  void loadsPluginsFromThePluginDirectory() throws Exception {
    Path plugins = Files.createDirectories(configDir.resolve("plugins"));
    PluginJars.write(plugins.resolve("extra.jar"), JarOnlyPluginFactory.class);

    ConfigResult result =
        load(
            """
            runtime:
              plugin-dir: plugins
            plugins:
              jar-only: { greeting: hi }
            """);

    assertThat(problems(result)).isEmpty();
    assertThat(result.config().runtime().pluginDir()).isEqualTo(plugins);
    assertThat(result.config().plugins().get(0).config()).isEqualTo("hi");
  }

  @Test
  void reportsAPluginDirectoryWithAClashingName() throws Exception {
    Path plugins = Files.createDirectories(configDir.resolve("plugins"));
    PluginJars.write(plugins.resolve("clash.jar"), DuplicateNamePluginFactory.class);

    ConfigResult result = load("runtime:\n  plugin-dir: plugins\n");

    assertThat(problems(result)).hasSize(1);
    assertThat(problems(result).get(0))
        .startsWith(configDir.resolve("portico.yaml") + ":2:15: runtime.plugin-dir: plugin names:")
        .endsWith("(expected: each plugin name registered once)");
  }
}
