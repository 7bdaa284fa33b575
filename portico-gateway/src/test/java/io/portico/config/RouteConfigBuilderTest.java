package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RouteConfig.Builder}: its defaults are a route without the keys, and it copies routes. */
class RouteConfigBuilderTest {

  @TempDir Path dir;

  private RouteConfig parsed(String route) {
    ConfigResult result =
        ConfigFiles.parse(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:9000" ]
            routes:
            """
                + route.stripTrailing().indent(2),
            "portico.yaml",
            dir,
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.problems().list()).isEmpty();
    return result.config().routes().get(0);
  }

  @Test
  void unsetComponentsAreThoseOfARouteWithoutTheKeys() {
    RouteConfig route = parsed("- name: api\n  paths: [ /api/ ]\n  service: backend");

    assertThat(RouteConfig.builder("api").paths(List.of("/api/")).service("backend").build())
        .isEqualTo(route);
  }

  @Test
  void toBuilderCopiesEveryComponent() {
    RouteConfig route =
        parsed(
            """
            - name: api
              hosts: [ api.example.com ]
              paths: [ "/users/{id}" ]
              path-match: exact
              methods: [ GET ]
              headers: { X-Api-Version: "2" }
              query: { format: json }
              priority: 7
              service: backend
              rewrite-path: /v2/users/{id}
              preserve-host: true
              timeouts: { response: 3s }
              plugins: { cors: {} }
              access-log: { enabled: false, body: true }
              grpc: { max-message-size: 64k }
            """);

    assertThat(route.toBuilder().build()).isEqualTo(route);
    assertThat(route.toBuilder().priority(8).build())
        .isEqualTo(
            new RouteConfig(
                route.name(),
                route.hosts(),
                route.paths(),
                route.pathMatch(),
                route.methods(),
                route.headers(),
                route.query(),
                8,
                route.service(),
                route.stripPrefix(),
                route.rewritePath(),
                route.preserveHost(),
                route.timeouts(),
                route.plugins(),
                route.aggregate(),
                route.traffic(),
                route.ai(),
                route.accessLog(),
                route.grpc(),
                route.accessLogBody()));
  }
}
