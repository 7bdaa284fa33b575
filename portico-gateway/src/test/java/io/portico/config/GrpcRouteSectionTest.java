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

/** A route's {@code grpc} section: its keys, its defaults and its mistakes, with their lines. */
class GrpcRouteSectionTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @TempDir Path dir;

  private ConfigResult parse(String route) {
    return ConfigFiles.parse(
        """
        services:
          - name: greeter
            targets: [ "127.0.0.1:50051" ]
            protocol: h2c
        routes:
          - name: greeter
            paths: [ /helloworld.Greeter/ ]
            service: greeter
        """
            + route.stripTrailing().indent(4),
        "portico.yaml",
        dir,
        Map.of(),
        registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void readsTheMessageCap() {
    ConfigResult result = parse("grpc:\n  max-message-size: 64k");

    assertThat(problems(result)).isEmpty();
    RouteConfig route = result.config().routes().get(0);
    assertThat(route.grpc()).isEqualTo(new GrpcRouteConfig(64 * 1024));
    assertThat(route.grpcOrDefaults().maxMessageSize()).isEqualTo(65_536);
  }

  @Test
  void readsTheResponseMessageCapApartFromTheRequestCap() {
    ConfigResult result = parse("grpc:\n  max-response-message-size: 16MiB");

    assertThat(problems(result)).isEmpty();
    GrpcRouteConfig grpc = result.config().routes().get(0).grpc();
    assertThat(grpc.maxResponseMessageSize()).isEqualTo(16 * 1024 * 1024);
    assertThat(grpc.maxMessageSize()).isEqualTo(4 * 1024 * 1024);
  }

  @Test
  void aRouteWithoutTheSectionGetsGrpcsOwnDefault() {
    RouteConfig route = parse("").config().routes().get(0);

    assertThat(route.grpc()).isNull();
    assertThat(route.grpcOrDefaults().maxMessageSize()).isEqualTo(4 * 1024 * 1024);
    assertThat(route.grpcOrDefaults().maxResponseMessageSize()).isEqualTo(4 * 1024 * 1024);
  }

  @Test
  void reportsEveryMistakeWithItsLine() {
    ConfigResult result = parse("grpc:\n  max-message-size: 0\n  max-mesage-size: 1k");

    assertThat(problems(result))
        .anySatisfy(p -> assertThat(p).contains(":10:").contains("max-message-size"))
        .anySatisfy(p -> assertThat(p).contains(":11:").contains("max-mesage-size"));
  }

  @Test
  void theSectionMustBeAnObject() {
    assertThat(problems(parse("grpc: 4MiB")))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("routes[0].grpc").contains("an object"));
  }

  @Test
  void theExampleFileIsValid() throws Exception {
    Path example = Path.of("").toAbsolutePath().getParent().resolve("examples/grpc.yaml");
    ConfigResult result =
        ConfigFiles.parse(
            Files.readString(example),
            "grpc.yaml",
            dir,
            Map.of("GREETER_KEY_HASH", "sha256:" + "ab".repeat(32)),
            registry);

    assertThat(problems(result)).isEmpty();
    assertThat(result.config().routes().get(0).grpc().maxMessageSize()).isEqualTo(1 << 20);
  }
}
