package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigLoader;
import io.portico.config.ConfigParser;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The banner's try line picks a route a newcomer can call, or says what it needs. */
class TryLineTest {

  private static final String BASE = "http://127.0.0.1:8080";
  private static final String CONSUMERS =
      """
      consumers:
        - name: demo
          credentials:
            key-auth: { key: "sha256:91b6a084c3b0324742489d9f7e2e014763a06e281cc93546544538de3d1e55e9" }
      """;

  @TempDir Path dir;

  private GatewayConfig config(String yaml) {
    ConfigParser parser = new ConfigParser(PluginRegistry.load(getClass().getClassLoader()), dir);
    ConfigResult result =
        parser.parse(ConfigLoader.withEnvironment(Map.of()).load(yaml, "portico.yaml"));
    assertThat(result.problems().isEmpty()).as(result.problems().render()).isTrue();
    return result.config();
  }

  @Test
  void skipsAnAiRouteBehindKeyAuthForTheFirstRouteCallableWithoutCredentials() {
    GatewayConfig config =
        config(
            """
            routes:
              - name: ai
                paths: [ "/v1/" ]
                ai: {}
                plugins:
                  key-auth: {}
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
            """
                + CONSUMERS);
    assertThat(TryLine.of(config, BASE)).isEqualTo("curl -i http://127.0.0.1:8080/hello");
  }

  @Test
  void skipsRoutesWithTemplatesRegexesAndGlobalAuthOnTheirServiceButTakesAnonymous() {
    GatewayConfig config =
        config(
            """
            services:
              - name: locked
                targets: [ "127.0.0.1:9" ]
                plugins:
                  key-auth: {}
            routes:
              - name: user
                paths: [ "/users/{id}", "~^/v[0-9]+/" ]
                plugins: { mock: {} }
              - name: service-locked
                paths: [ "/locked" ]
                service: locked
              - name: open-to-anonymous
                paths: [ "/public" ]
                plugins:
                  mock: {}
                  key-auth: { anonymous: demo }
            """
                + CONSUMERS);
    assertThat(TryLine.of(config, BASE)).isEqualTo("curl -i http://127.0.0.1:8080/public");
  }

  @Test
  void namesTheCredentialWhenEveryRouteNeedsOne() {
    GatewayConfig config =
        config(
            """
            routes:
              - name: ai
                paths: [ "/v1/" ]
                ai: {}
            plugins:
              key-auth: {}
            """
                + CONSUMERS);
    assertThat(TryLine.of(config, BASE))
        .isEqualTo(
            "curl -i http://127.0.0.1:8080/v1/models   (route ai needs a key-auth credential"
                + " of a consumer: see docs/plugins/key-auth.md)");
  }

  @Test
  void givesTheHostAndMethodTheRouteMatchesAndPrefersPlainRoutes() {
    GatewayConfig config =
        config(
            """
            routes:
              - name: header-bound
                paths: [ "/canary" ]
                headers: { X-Canary: "1" }
                plugins: { mock: {} }
              - name: api
                hosts: [ "*.example.com" ]
                paths: [ "/api" ]
                methods: [ POST ]
                plugins: { mock: {} }
            """);
    assertThat(TryLine.of(config, BASE)).isEqualTo("curl -i http://127.0.0.1:8080/canary");

    GatewayConfig hostOnly =
        config(
            """
            routes:
              - name: api
                hosts: [ "*.example.com" ]
                paths: [ "/api" ]
                methods: [ POST ]
                plugins: { mock: {} }
            """);
    assertThat(TryLine.of(hostOnly, BASE))
        .isEqualTo("curl -i -X POST -H 'Host: www.example.com' http://127.0.0.1:8080/api");
  }

  @Test
  void theBundledConfigSuggestsARouteThatAnswersWithoutCredentials() {
    GatewayConfig config =
        config(
            """
            routes:
              - name: ai
                paths: [ "/v1/" ]
                ai: {}
                plugins:
                  key-auth: { header-names: [ Authorization, x-api-key ] }
              - name: echo
                paths: [ "/echo" ]
                plugins:
                  echo: {}
            """
                + CONSUMERS);
    assertThat(TryLine.of(config, BASE)).isEqualTo("curl -i http://127.0.0.1:8080/echo");
  }

  @Test
  void aTlsListenerIsHttps() throws Exception {
    var certs = io.portico.testing.TestCertificates.create(dir);
    var cert = certs.issue("api.example.test", "api.example.test");
    GatewayConfig config =
        config(
            """
            listeners:
              - address: 127.0.0.1:8443
                tls:
                  certificates:
                    - { cert: %s, key: %s }
              - address: 127.0.0.1:8080
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins: { mock: {} }
            """
                .formatted(cert.cert(), cert.key()));
    assertThat(TryLine.scheme(config, 0)).isEqualTo("https://");
    assertThat(TryLine.scheme(config, 1)).isEqualTo("http://");
  }
}
