package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.TestHeaderPluginFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code routes} and {@code consumers} sections: paths, rewrites, plugin-answered routes,
 * credentials, and consumer names that must fit in a header.
 */
class RoutesAndConsumersSectionTest extends ConfigParsing {

  @Test
  void parsesRoutesInFull() {
    RouteConfig route =
        valid(
                parse(
                    minimalWith(
                        """
                          - name: users
                            hosts: [ api.example.com, "*.example.org" ]
                            paths: [ "/users/{id}", "~^/u/(?<id>[0-9]+)$" ]
                            path-match: exact
                            methods: [ get, POST ]
                            headers: { X-Tenant: blue }
                            query: { debug: null, v: "2" }
                            priority: 10
                            service: backend
                            rewrite-path: /v2/users/{id}
                            preserve-host: true
                            timeouts: { response: 5s }
                        """)))
            .routes()
            .get(1);

    assertThat(route.hosts()).containsExactly("api.example.com", "*.example.org");
    assertThat(route.paths()).containsExactly("/users/{id}", "~^/u/(?<id>[0-9]+)$");
    assertThat(route.pathMatch()).isEqualTo("exact");
    assertThat(route.methods()).containsExactly("GET", "POST");
    assertThat(route.headers()).containsExactly(Map.entry("X-Tenant", "blue"));
    assertThat(route.query()).containsEntry("debug", null).containsEntry("v", "2");
    assertThat(route.priority()).isEqualTo(10);
    assertThat(route.rewritePath()).isEqualTo("/v2/users/{id}");
    assertThat(route.preserveHost()).isTrue();
    assertThat(route.timeouts())
        .isEqualTo(new TimeoutsConfig.TimeoutsOverride(null, Duration.ofSeconds(5), null));
  }

  @Test
  void reportsAnInvalidPathPatternWithItsPlace() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: a
                    paths: [ "/a" ]
                    service: backend
                  - name: b
                    paths: [ "/b" ]
                    service: backend
                  - name: c
                    paths:
                      - "users/{id"
                      - "~(unclosed"
                    hosts: [ "bad host" ]
                    service: backend
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:20:9: routes[3].paths[0]: \"users/{id\" (expected: a path starting with"
                + " / and balanced braces)",
            "portico.yaml:21:9: routes[3].paths[1]: \"~(unclosed\" (expected: a valid regular"
                + " expression after ~ (Unclosed group))",
            "portico.yaml:22:14: routes[3].hosts[0]: \"bad host\" (expected: a host name such as"
                + " api.example.com or *.example.com)");
  }

  @Test
  void requiresAServiceOrAPluginOnEveryRoute() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: lonely
                    paths: [ /x ]
                  - name: empty-plugins
                    plugins: {}
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:12:5: routes[1]: a route needs a service, an aggregate or a plugin that"
                + " answers it (expected: service: NAME, one of backend; or a plugin that answers"
                + " by itself, such as plugins: { mock: { body: hello } })",
            "portico.yaml:14:5: routes[2]: a route needs a service, an aggregate or a plugin that"
                + " answers it (expected: service: NAME, one of backend; or a plugin that answers"
                + " by itself, such as plugins: { mock: { body: hello } })");
  }

  @Test
  void acceptsARouteAnsweredByAPlugin() {
    RouteConfig route =
        valid(
                parse(
                    minimalWith(
                        """
                          - name: answered
                            paths: [ /hello ]
                            plugins:
                              test-header: { name: X-Hello, value: world }
                        """)))
            .routes()
            .get(1);

    assertThat(route.service()).isNull();
    assertThat(route.plugins()).hasSize(1);
    assertThat(route.plugins().get(0).name()).isEqualTo("test-header");
    assertThat(route.plugins().get(0).config())
        .isEqualTo(new TestHeaderPluginFactory.Config("X-Hello", "world"));
    assertThat(route.plugins().get(0).node().path()).isEqualTo("routes[1].plugins.test-header");
  }

  @Test
  void reportsAnUnknownServiceWhenNoneIsDefined() {
    ConfigResult result = parse("routes:\n  - name: a\n    service: backend\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:3:14: routes[0].service: \"backend\" (expected: the name of a service;"
                + " none is defined)");
  }

  @Test
  void requiresRewriteVariablesFromEveryPath() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: users
                    paths: [ "/users/{id}", "/people/{id}/{*rest}" ]
                    rewrite-path: /v2/users/{id}/{rest}
                    service: backend
                  - name: both
                    paths: [ "/a/" ]
                    strip-prefix: true
                    rewrite-path: /b/
                    service: backend
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:14:19: routes[1].rewrite-path: \"/v2/users/{id}/{rest}\" (expected:"
                + " variables that every path of the route defines: {id}; {rest} is not one of"
                + " them)",
            "portico.yaml:18:19: routes[2].strip-prefix: \"true\" (expected: false when"
                + " rewrite-path is set (use one or the other))");
  }

  @Test
  void reportsDuplicateRouteAndConsumerNames() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: all
                    service: backend
                consumers:
                  - name: alice
                  - name: alice
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:12:11: routes[1].name: \"all\" (expected: a route name not used before;"
                + " routes[0].name has it)",
            "portico.yaml:16:11: consumers[1].name: \"alice\" (expected: a consumer name not used"
                + " before; consumers[0].name has it)");
  }

  @Test
  void parsesConsumersWithRawCredentials() {
    ConsumerConfig alice =
        valid(
                parse(
                    """
                    consumers:
                      - name: alice
                        custom-id: u-123
                        groups: [ admins, staff ]
                        credentials:
                          key-auth: { key: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" }
                    """))
            .consumers()
            .get(0);

    assertThat(alice.customId()).isEqualTo("u-123");
    assertThat(alice.groups()).containsExactly("admins", "staff");
    assertThat(alice.credentials().get("key-auth").fields().get("key").text())
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(alice.credentials().get("key-auth").path())
        .isEqualTo("consumers[0].credentials.key-auth");
  }

  @Test
  void refusesConsumerNamesIdsAndGroupsThatCouldNotTravelInAHeader() {
    ConfigResult result =
        parse(
            "consumers:\n"
                + "  - name: \"a\\r\\nX-Admin: true\"\n"
                + "    custom-id: \"c\\u0000\"\n"
                + "    groups: [ \"ok\", \"g\\n\" ]\n");

    assertThat(problems(result))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("consumers[0].name: ").contains("control"))
        .anySatisfy(p -> assertThat(p).contains("consumers[0].custom-id: ").contains("control"))
        .anySatisfy(p -> assertThat(p).contains("consumers[0].groups[1]: ").contains("control"));
  }
}
