package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code health} section of a service: defaults, and every problem at once with its path. */
class HealthSectionTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @TempDir Path dir;

  private ConfigResult parse(String health) {
    String yaml =
        """
        services:
          - name: backend
            targets: [ "127.0.0.1:9001" ]
            health:
        %s
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
        """
            .formatted(health.indent(6));
    return ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void aPathAloneTurnsHttpProbesOnWithTheDefaults() {
    ConfigResult r = parse("active: { path: /healthz }");
    assertThat(problems(r)).isEmpty();
    HealthConfig.Active a = r.config().services().get(0).health().active();
    assertThat(a.type()).isEqualTo(HealthConfig.ProbeType.HTTP);
    assertThat(a.method()).isEqualTo("GET");
    assertThat(a.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(a.jitter()).isEqualTo(Duration.ofMillis(500));
    assertThat(a.healthyThreshold()).isEqualTo(2);
    assertThat(a.unhealthyThreshold()).isEqualTo(3);
    assertThat(a.expected(204)).isTrue();
    assertThat(a.expected(302)).isTrue();
    assertThat(a.expected(404)).isFalse();
    assertThat(r.config().services().get(0).health().circuitBreaker()).isNull();
  }

  @Test
  void statusClassesAndSingleStatusesAreAccepted() {
    ConfigResult r = parse("active: { path: /h, expected-statuses: [ 2xx, 418 ] }");
    assertThat(problems(r)).isEmpty();
    HealthConfig.Active a = r.config().services().get(0).health().active();
    assertThat(a.expected(299)).isTrue();
    assertThat(a.expected(418)).isTrue();
    assertThat(a.expected(301)).isFalse();
  }

  @Test
  void reportsEveryProblemOfTheSectionAtOnceWithItsPath() {
    ConfigResult r =
        parse(
            """
            active: { interval: 1s, timeout: 2s, jitter: 3s, expected-statuses: [ 700, 2xy ], healthy-threshold: 0 }
            circuit-breaker:
              max-in-flight: -1
              failure-rate: { threshold: 1.5, minimum-requests: 0 }
            all-unhealthy: panic
            """);
    assertThat(r.ok()).isFalse();
    assertThat(String.join("\n", problems(r)))
        .contains("services[0].health.active: an HTTP probe needs path")
        .contains("services[0].health.active.timeout: longer than interval")
        .contains(
            "services[0].health.active.jitter: longer than interval (expected: jitter ≤ interval)")
        .contains("services[0].health.active.expected-statuses[0]")
        .contains("services[0].health.active.expected-statuses[1]")
        .contains("services[0].health.active.healthy-threshold")
        .contains("services[0].health.circuit-breaker.max-in-flight")
        .contains("services[0].health.circuit-breaker.failure-rate.threshold")
        .contains("services[0].health.circuit-breaker.failure-rate.minimum-requests")
        .contains("services[0].health.all-unhealthy");
  }

  @Test
  void aTcpProbeTakesNoPathAndAnEmptyBreakerIsRefused() {
    ConfigResult r = parse("active: { type: tcp, path: /x }\ncircuit-breaker: {}");
    assertThat(String.join("\n", problems(r)))
        .contains("services[0].health.active.path: path with type: tcp")
        .contains("services[0].health.circuit-breaker: an empty circuit-breaker");
  }

  @Test
  void aGrpcProbeNamesItsServiceAndAuthority() {
    HealthConfig.Active a =
        parse("active: { type: grpc, service: shop.Cart, authority: shop.internal }")
            .config()
            .services()
            .get(0)
            .health()
            .active();
    assertThat(a.type()).isEqualTo(HealthConfig.ProbeType.GRPC);
    assertThat(a.grpcService()).isEqualTo("shop.Cart");
    assertThat(a.host()).isEqualTo("shop.internal");
    assertThat(a.path()).isNull();

    HealthConfig.Active whole =
        parse("active: { type: grpc }").config().services().get(0).health().active();
    assertThat(whole.grpcService()).isEmpty();
    assertThat(whole.host()).isNull();
  }

  @Test
  void theGrpcHealthExampleFileIsValid() throws Exception {
    Path example =
        Path.of("").toAbsolutePath().getParent().resolve("examples/grpc-health-checks.yaml");
    ConfigResult r =
        ConfigFiles.parse(
            Files.readString(example), "grpc-health-checks.yaml", dir, Map.of(), registry);
    assertThat(problems(r)).isEmpty();
    ServiceConfig cart = r.config().services().get(0);
    assertThat(cart.health().active().type()).isEqualTo(HealthConfig.ProbeType.GRPC);
    assertThat(cart.health().active().grpcService()).isEqualTo("shop.Cart");
    assertThat(cart.protocol().replayBuffer()).isEqualTo(128 * 1024);
  }

  @Test
  void aGrpcProbeRefusesHttpKeysAndOtherProbesRefuseGrpcKeys() {
    assertThat(
            String.join(
                "\n",
                problems(
                    parse(
                        "active: { type: grpc, path: /h, method: POST, expected-statuses: [2xx],"
                            + " authority: \"a b\" }"))))
        .contains("services[0].health.active.path: path with type: grpc")
        .contains("services[0].health.active.method: method with type: grpc")
        .contains("services[0].health.active.expected-statuses: expected-statuses with type: grpc")
        .contains("services[0].health.active.authority: \"a b\" (expected: an authority");
    assertThat(problems(parse("active: { path: /h, service: shop.Cart }")))
        .singleElement()
        .asString()
        .contains("services[0].health.active.service: service with type: http");
  }

  @Test
  void aJitterMayBeSetOrTurnedOff() {
    HealthConfig.Active set =
        parse("active: { path: /h, interval: 2s, jitter: 1s }")
            .config()
            .services()
            .get(0)
            .health()
            .active();
    assertThat(set.jitter()).isEqualTo(Duration.ofSeconds(1));
    HealthConfig.Active off =
        parse("active: { path: /h, jitter: 0s }").config().services().get(0).health().active();
    assertThat(off.jitter()).isZero();
  }
}
