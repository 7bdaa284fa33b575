package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parses YAML the way the gateway does, against this class loader's plugins, a temporary directory
 * and a mutable environment; shared by the tests of each configuration section.
 */
abstract class ConfigParsing {

  static final String MINIMAL =
      """
      listeners:
        - address: 127.0.0.1:8080
      admin:
        address: 127.0.0.1:9901
      services:
        - name: backend
          targets: [ "127.0.0.1:9001" ]
      routes:
        - name: all
          paths: [ "/" ]
          service: backend
      """;

  final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());
  final Map<String, String> env = new HashMap<>(Map.of("BACKEND_PORT", "9001"));

  @TempDir Path dir;

  ConfigResult parse(String yaml) {
    return ConfigFiles.parse(yaml, "portico.yaml", dir, env, registry);
  }

  static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  static GatewayConfig valid(ConfigResult result) {
    assertThat(problems(result)).isEmpty();
    assertThat(result.ok()).isTrue();
    return result.config();
  }

  /** MINIMAL with one more route, service or section appended. */
  static String minimalWith(String more) {
    return MINIMAL + more;
  }
}
