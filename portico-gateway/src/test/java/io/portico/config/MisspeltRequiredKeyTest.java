package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misspelt required key ({@code adress} for {@code address}) is one problem at the misspelt key's
 * place, naming both the key written and the required key it stands for, wherever a required key is
 * read: top-level sections, list items, nested objects and plugin configs.
 */
class MisspeltRequiredKeyTest {

  @TempDir Path dir;

  @Test
  void aMisspeltRequiredKeyIsOneProblemNamingBoth() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        listeners:
          - adress: 127.0.0.1:8080
        services:
          - nam: backend
            targets: [ "127.0.0.1:9000" ]
        routes:
          - name: limited
            paths: [ /limited ]
            plugins:
              mock: {}
              rate-limit: { limits: [ { requests: 5, widow: 1s } ] }
        """);

    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":2:5: listeners[0].adress: unknown key \"adress\"; did you mean \"address\"?"
                + " (the required key \"address\" is missing; expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535)",
            file
                + ":4:5: services[0].nam: unknown key \"nam\"; did you mean \"name\"?"
                + " (the required key \"name\" is missing; expected: a name of letters, digits,"
                + " '.', '_' or '-')",
            file
                + ":11:46: routes[0].plugins.rate-limit.limits[0].widow: unknown key \"widow\";"
                + " did you mean \"window\"? (the required key \"window\" is missing; expected:"
                + " a duration from 1s to 366d such as 1s, 1m, 1h, 1d, 1w or 1y)");
  }

  @Test
  void aMisspeltRequiredKeyOfAPluginThatFinishesItsOwnReaderIsStillOneProblem() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        routes:
          - name: limited
            paths: [ /limited ]
            plugins:
              mock: {}
              rate-limit: { limit: 10 }
        """);

    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":6:21: routes[0].plugins.rate-limit.limit: unknown key \"limit\"; did you mean"
                + " \"limits\"? (the required key \"limits\" is missing; expected: a list of"
                + " { requests, window })");
  }

  @Test
  void theEndpointsAndReadTimeoutsOfOtherGatewaysAreOneProblemEachWithThePorticoForm()
      throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        services:
          - name: backend
            endpoints: [ "127.0.0.1:9000" ]
            timeouts: { read: 30s }
        """);

    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":3:5: services[0].endpoints: unknown key \"endpoints\"; write the endpoints as"
                + " targets: [ \"host:port\" ], or a discovery: section for endpoints from DNS,"
                + " Consul, etcd, Kubernetes or a file (the required key \"targets\" is missing;"
                + " expected: a list of host:port targets)",
            file
                + ":4:17: services[0].timeouts.read: unknown key \"read\" (expected one of:"
                + " connect, idle, response); the time the upstream has to answer, from the"
                + " request sent to the response head, is response: 60s; the longest silence"
                + " between two reads or writes, idle: 60s");
  }

  @Test
  void aKeyOfAnotherGatewayThatARequiredKeyReplacesIsOneProblemWithThePorticoForm()
      throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        listeners:
          - port: 8080
        """);

    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":2:5: listeners[0].port: unknown key \"port\"; the host and port to listen on"
                + " are one address: address: \"127.0.0.1:8080\" (\":8080\" for every interface)"
                + " (the required key \"address\" is missing; expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535)");
  }

  @Test
  void anUnknownKeyFarFromTheMissingOneStaysTwoProblems() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        listeners:
          - bind: 8080
        """);

    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":2:5: listeners[0].address: missing (expected: host:port with an IP address,"
                + " [IPv6]:port or :port, with a port from 0 to 65535)",
            file
                + ":2:5: listeners[0].bind: unknown key \"bind\" (expected one of: address, http2,"
                + " name, tls)");
  }
}
