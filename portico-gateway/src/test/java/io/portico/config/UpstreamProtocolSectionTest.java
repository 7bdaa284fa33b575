package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's {@code protocol} and {@code http2} keys: defaults, and every problem with its path.
 */
class UpstreamProtocolSectionTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @TempDir Path dir;

  private ConfigResult parse(String service) {
    String yaml =
        """
        services:
          - name: backend
        %s
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
        """
            .formatted(service.indent(4));
    return ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void defaultsToHttp11() {
    ConfigResult r = parse("targets: [ \"127.0.0.1:9001\" ]");

    assertThat(problems(r)).isEmpty();
    assertThat(r.config().services().get(0).protocol()).isEqualTo(UpstreamProtocolConfig.DEFAULTS);
  }

  @Test
  void readsH2cAndItsHttp2Settings() {
    ConfigResult r =
        parse(
            """
            targets: [ "127.0.0.1:9001" ]
            protocol: h2c
            http2:
              ping-interval: 5s
              ping-timeout: 2s
              max-concurrent-streams: 50
              replay-buffer: 256k
              max-control-frames-per-window: 20
              control-frame-window: 30s
            """);

    assertThat(problems(r)).isEmpty();
    assertThat(r.config().services().get(0).protocol())
        .isEqualTo(
            new UpstreamProtocolConfig(
                UpstreamProtocolConfig.Protocol.H2C,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                50,
                256 * 1024,
                20,
                Duration.ofSeconds(30)));
  }

  @Test
  void keeps64KibOfARequestBodyForResendsByDefault() {
    ConfigResult r = parse("targets: [ \"127.0.0.1:9001\" ]\nprotocol: h2c");

    assertThat(problems(r)).isEmpty();
    assertThat(r.config().services().get(0).protocol().replayBuffer()).isEqualTo(64 * 1024);
  }

  @Test
  void refusesAControlFrameBudgetBelowOneAndAWindowBelowASecond() {
    assertThat(
            problems(
                parse(
                    "targets: [ \"127.0.0.1:9001\" ]\nprotocol: h2c\n"
                        + "http2: { max-control-frames-per-window: 0, control-frame-window: 0s }")))
        .satisfiesExactly(
            p ->
                assertThat(p)
                    .contains(
                        "services[0].http2.max-control-frames-per-window: \"0\" (expected: an"),
            p ->
                assertThat(p)
                    .contains(
                        "services[0].http2.control-frame-window: \"0s\" (expected: a duration"
                            + " from"));
  }

  @Test
  void refusesAReplayBufferThatIsNotASizeOrTooLarge() {
    assertThat(
            problems(
                parse(
                    "targets: [ \"127.0.0.1:9001\" ]\nprotocol: h2c\n"
                        + "http2: { replay-buffer: lots }")))
        .singleElement()
        .asString()
        .contains("services[0].http2.replay-buffer: \"lots\" (expected: a size such as");
    assertThat(
            problems(
                parse(
                    "targets: [ \"127.0.0.1:9001\" ]\nprotocol: h2c\n"
                        + "http2: { replay-buffer: 1g }")))
        .singleElement()
        .asString()
        .contains("services[0].http2.replay-buffer: \"1g\" (expected: a size from 0 to");
  }

  @Test
  void reportsEveryMismatchOfProtocolAndTlsAtOnce() {
    ConfigResult r =
        parse(
            """
            targets: [ "127.0.0.1:9001" ]
            protocol: h2
            http2: { ping-interval: 0s, max-concurrent-streams: 0 }
            """);

    assertThat(problems(r))
        .containsExactlyInAnyOrder(
            "portico.yaml:4:15: services[0].protocol: protocol: h2 without TLS (expected: a tls"
                + " section or https:// targets, or protocol: h2c)",
            "portico.yaml:5:29: services[0].http2.ping-interval: \"0s\" (expected: a duration from"
                + " 1s to 365d)",
            "portico.yaml:5:57: services[0].http2.max-concurrent-streams: \"0\" (expected: an"
                + " integer from 1 to 2147483647)");
  }

  @Test
  void refusesH2cWithTlsAndHttp2SettingsOnAnHttp11Service() {
    assertThat(problems(parse("targets: [ \"https://127.0.0.1:9001\" ]\nprotocol: h2c")))
        .singleElement()
        .asString()
        .contains("services[0].protocol: protocol: h2c with TLS");
    assertThat(problems(parse("targets: [ \"127.0.0.1:9001\" ]\nhttp2: { ping-interval: 5s }")))
        .singleElement()
        .asString()
        .contains("services[0].http2: http2 settings on an HTTP/1.1 service");
    assertThat(problems(parse("targets: [ \"127.0.0.1:9001\" ]\nprotocol: http3")))
        .singleElement()
        .asString()
        .contains("services[0].protocol: \"http3\" (expected: one of http1, h2c, h2, auto)");
  }
}
