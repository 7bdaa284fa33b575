package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two routes that match the same requests with the same priority: the one declared first always
 * wins, so the other is a mistake that {@code portico validate} (and a reload, which reads the file
 * the same way) reports with both routes' places. Also the methods a route may not list.
 */
class SameMatchRoutesTest {

  @TempDir Path dir;

  private List<String> problems(String yaml) throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(file, yaml);
    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));
    return result.problems().list().stream()
        .map(Problem::toString)
        .map(p -> p.replace(file.toString(), "@"))
        .toList();
  }

  private static final String SERVICES =
      """
      services:
        - name: backend
          targets: [ "127.0.0.1:9001" ]
      routes:
      """;

  @Test
  void reportsARouteThatMatchesWhatAnEarlierRouteMatchesWithBothPlaces() throws Exception {
    List<String> problems =
        problems(
            SERVICES
                + """
                  - name: users
                    hosts: [ API.example.com ]
                    paths: [ /users, "/users/{id}" ]
                    methods: [ GET, post ]
                    headers: { X-Version: "2" }
                    service: backend
                  - name: other
                    paths: [ /other ]
                    service: backend
                  - name: users-copy
                    hosts: [ api.example.com ]
                    paths: [ "/users/{user}", /users ]
                    methods: [ POST, GET ]
                    headers: { x-version: "2" }
                    service: backend
                """);

    assertThat(problems)
        .containsExactly(
            "@:14:5: routes[2]: route \"users-copy\" matches the same requests as route \"users\""
                + " (@:5:5: routes[0]), which is declared first and always wins (expected: hosts,"
                + " paths, methods, headers, query or priority that differ from every other"
                + " route's)");
  }

  @Test
  void routesWithoutPathsAndWithTheRootPrefixAreTheSame() throws Exception {
    assertThat(
            problems(
                SERVICES
                    + """
                      - name: everything
                        service: backend
                      - name: root
                        paths: [ / ]
                        service: backend
                    """))
        .singleElement()
        .asString()
        .startsWith("@:7:5: routes[1]: route \"root\" matches the same requests as route")
        .contains("(@:5:5: routes[0])");
  }

  @Test
  void acceptsRoutesThatDifferInAnyRuleTheRouterMatchesOn() throws Exception {
    assertThat(
            problems(
                SERVICES
                    + """
                      - { name: a, paths: [ /a ], service: backend }
                      - { name: b, paths: [ /a ], service: backend, priority: 1 }
                      - { name: c, paths: [ /a ], service: backend, path-match: exact }
                      - { name: d, paths: [ /a ], service: backend, methods: [ GET ] }
                      - { name: e, paths: [ /a ], service: backend, hosts: [ a.test ] }
                      - { name: f, paths: [ /a ], service: backend, headers: { x-a: "1" } }
                      - { name: g, paths: [ /a ], service: backend, query: { v: "1" } }
                      - { name: h, paths: [ /a, /b ], service: backend }
                      - { name: i, paths: [ /A ], service: backend }
                    """))
        .isEmpty();
  }

  @Test
  void refusesTraceAndConnectInARoutesMethods() throws Exception {
    assertThat(
            problems(
                SERVICES
                    + """
                      - name: r
                        paths: [ /r ]
                        methods: [ GET, trace, CONNECT ]
                        service: backend
                    """))
        .containsExactly(
            "@:7:21: routes[0].methods[1]: \"trace\" (expected: a method the gateway forwards:"
                + " TRACE is always answered 405 by the gateway itself)",
            "@:7:28: routes[0].methods[2]: \"CONNECT\" (expected: a method the gateway forwards:"
                + " CONNECT is always answered 405 by the gateway itself)");
  }
}
