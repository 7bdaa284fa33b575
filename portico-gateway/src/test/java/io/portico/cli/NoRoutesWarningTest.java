package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PorticoProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config that routes nothing is valid, but {@code validate} and {@code run} say so, naming what
 * to add and where the docs are: the empty file a new user starts from, and a file without routes.
 */
class NoRoutesWarningTest {

  private static final Duration START = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void validateWarnsOfAnEmptyFileAndExits0() throws Exception {
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "# nothing yet\n");

    try (PorticoProcess p = PorticoProcess.start(dir, "validate", empty.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(0);
      assertThat(p.stdout())
          .startsWith(empty + ": valid (version ")
          .contains("0 routes, 0 services");
      assertThat(p.stderr())
          .startsWith(empty + ": warning: the config file is empty and has no routes, so every")
          .contains("404 (no_route)")
          .contains("routes:\n      - name: hello\n")
          .contains("docs/configuration.md")
          .contains("POST /routes");
    }
  }

  @Test
  void validateSaysNothingOfAConfigWithRoutes() throws Exception {
    Path routed = dir.resolve("routed.yaml");
    Files.writeString(
        routed,
        """
        routes:
          - name: hello
            paths: [ /hello ]
            plugins: { mock: { body: hi } }
        """);

    try (PorticoProcess p = PorticoProcess.start(dir, "validate", routed.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(0);
      assertThat(p.stdout()).contains("1 route, 0 services");
      assertThat(p.stderr()).doesNotContain("warning");
    }
  }

  @Test
  void runStartsAConfigWithoutRoutesAndWarnsInItsBanner() throws Exception {
    Path noRoutes = dir.resolve("no-routes.yaml");
    Files.writeString(
        noRoutes,
        """
        listeners:
          - address: 127.0.0.1:0
        runtime:
          io-threads: 1
          access-log: off
        """);

    try (PorticoProcess p = PorticoProcess.start(dir, "run", "-c", noRoutes.toString())) {
      p.awaitStdout(Pattern.compile("warning: no routes, so every request is answered 404"), START);
      assertThat(p.stdout()).contains("listening on").contains("docs/routing.md");
    }
  }
}
