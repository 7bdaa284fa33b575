package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unknown keys are reported where the key is written (file:line:column of the key), not where its
 * value starts: in a plugin's config, among the plugins, among a consumer's credentials and in the
 * gateway's own sections, in block and flow style, and when the value is on the next lines.
 */
class UnknownKeyPlaceTest {

  @TempDir Path dir;

  private List<String> problems(String yaml) {
    ConfigResult result =
        ConfigFiles.parse(
            yaml, "portico.yaml", dir, Map.of(), PluginRegistry.load(getClass().getClassLoader()));
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void anUnknownKeyOfAPluginWhoseValueIsOnTheNextLinesIsReportedAtTheKey() {
    assertThat(
            problems(
                """
                routes:
                  - name: web
                    paths: [ / ]
                    plugins:
                      cors:
                        allow-origin:
                          - https://app.example.com
                """))
        .singleElement()
        .asString()
        .startsWith("portico.yaml:6:9: routes[0].plugins.cors.allow-origin: unknown key");
  }

  @Test
  void anUnknownKeyInFlowStyleIsReportedAtTheKeyNotItsValue() {
    assertThat(
            problems(
                """
                routes:
                  - name: web
                    paths: [ / ]
                    plugins:
                      key-auth: { header-names: [ X-Key ], realms: api }
                """))
        .singleElement()
        .asString()
        .startsWith("portico.yaml:5:44: routes[0].plugins.key-auth.realms: unknown key");
  }

  @Test
  void anUnknownPluginAndAnUnknownCredentialKindAreReportedAtTheirNames() {
    assertThat(
            problems(
                """
                routes:
                  - name: web
                    paths: [ / ]
                    plugins:
                      key-auht:
                        header-names: [ X-Key ]
                consumers:
                  - name: alice
                    credentials:
                      basic-auht:
                        username: alice
                """))
        .hasSize(2)
        .satisfiesExactly(
            p -> assertThat(p).startsWith("portico.yaml:5:7: routes[0].plugins.key-auht: unknown"),
            p ->
                assertThat(p)
                    .startsWith("portico.yaml:10:7: consumers[0].credentials.basic-auht: unknown"));
  }

  @Test
  void anUnknownKeyOfTheGatewaysOwnSectionsIsReportedAtTheKey() {
    assertThat(
            problems(
                """
                services:
                  - name: users
                    targets: [ "127.0.0.1:8080" ]
                    pool:
                      max-conections:
                        100
                """))
        .singleElement()
        .asString()
        .startsWith("portico.yaml:5:7: services[0].pool.max-conections: unknown key");
  }
}
