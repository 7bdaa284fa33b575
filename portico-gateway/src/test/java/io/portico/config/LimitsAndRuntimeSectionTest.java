package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code limits}, {@code forwarding} and {@code runtime} sections: sizes, durations, access
 * logs and plugin directories.
 */
class LimitsAndRuntimeSectionTest extends ConfigParsing {

  @Test
  void parsesLimitsWithSizesAndDurations() {
    LimitsConfig limits =
        valid(
                parse(
                    """
                    limits:
                      max-request-line: 16k
                      max-header-size: 64KiB
                      max-header-count: 200
                      max-header-field-size: 4k
                      max-chunk-extensions: 16
                      max-chunk-extensions-size: 1k
                      max-body-size: 10MiB
                      header-timeout: 5s
                      body-timeout: 30s
                      keep-alive-timeout: 1m
                      max-requests-per-connection: 1000
                      http2-max-concurrent-streams: 250
                      http2-max-resets-per-window: 50
                      http2-reset-window: 10s
                      http2-max-control-frames-per-window: 500
                      http2-control-frame-window: 5s
                      http2-stream-window: 256k
                      http2-connection-window: 4MiB
                      path-policy: off
                      max-decoded-response-size: 16MiB
                      max-decoding-ratio: 50
                    """))
            .limits();

    assertThat(limits)
        .isEqualTo(
            new LimitsConfig(
                16 * 1024,
                64 * 1024,
                200,
                4 * 1024,
                16,
                1024,
                10L * 1024 * 1024,
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofMinutes(1),
                1000,
                250,
                50,
                Duration.ofSeconds(10),
                500,
                Duration.ofSeconds(5),
                256 * 1024,
                4 * 1024 * 1024,
                "off",
                16L * 1024 * 1024,
                50));
  }

  @Test
  void reportsBadLimits() {
    ConfigResult result =
        parse(
            """
            limits:
              max-request-line: 10
              max-header-size: 4g
              max-body-size: lots
              header-timeout: 0s
              max-decoded-response-size: 10
              max-decoding-ratio: -1
              http2-stream-window: 32m
              http2-connection-window: 16k
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:21: limits.max-request-line: \"10\" (expected: a size from 256 bytes"
                + " to 1g)",
            "portico.yaml:3:20: limits.max-header-size: \"4g\" (expected: a size from 1k to 1g)",
            "portico.yaml:4:18: limits.max-body-size: \"lots\" (expected: a size such as 8192, 64k,"
                + " 10MiB or 1g)",
            "portico.yaml:5:19: limits.header-timeout: \"0s\" (expected: a duration from 1ms to"
                + " 365d)",
            "portico.yaml:6:30: limits.max-decoded-response-size: \"10\" (expected: a size from 1k"
                + " to 1024g)",
            "portico.yaml:7:23: limits.max-decoding-ratio: \"-1\" (expected: an integer from 0 to"
                + " 1048576)",
            "portico.yaml:8:24: limits.http2-stream-window: \"32m\" (expected: a size from 1k to"
                + " 16m)",
            "portico.yaml:9:28: limits.http2-connection-window: \"16k\" (expected: a size from"
                + " 64k to 1g)");
  }

  @Test
  void acceptsSizesWithSpacesAndByteUnitsAndHintsTheFormOfOthers() {
    assertThat(
            valid(parse("limits: { max-body-size: 10 MB, max-header-size: 64kb }\n"))
                .limits()
                .maxBodySize())
        .isEqualTo(10L << 20);
    assertThat(valid(parse("limits: { max-body-size: 10MiB }\n")).limits().maxBodySize())
        .isEqualTo(10L << 20);

    ConfigResult result =
        parse(
            """
            limits:
              max-body-size: 1.5m
              max-header-size: 10 kilobytes
              max-request-line: "1,000"
              max-chunk-extensions-size: ten
              max-decoded-response-size: 2t
            """);

    String rule = "(expected: a size such as 8192, 64k, 10MiB or 1g";
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:18: limits.max-body-size: \"1.5m\" " + rule + "; write 1536k)",
            "portico.yaml:3:20: limits.max-header-size: \"10 kilobytes\" " + rule + "; write 10k)",
            "portico.yaml:4:21: limits.max-request-line: \"1,000\" " + rule + "; write 1000)",
            "portico.yaml:5:30: limits.max-chunk-extensions-size: \"ten\" " + rule + ")",
            "portico.yaml:6:30: limits.max-decoded-response-size: \"2t\" "
                + rule
                + "; a size is at most 1024g)");
    assertThat(problems(parse("limits: { max-body-size: 1.3k }\n")))
        .containsExactly(
            "portico.yaml:1:26: limits.max-body-size: \"1.3k\" "
                + rule
                + "; a size is a whole number of bytes: write 1331)");
  }

  @Test
  void parsesForwardingAndRuntime() throws Exception {
    Files.createDirectories(dir.resolve("logs"));
    GatewayConfig config =
        valid(
            parse(
                """
                forwarding:
                  trusted-proxies: [ 10.0.0.0/8, 192.168.1.1, "2001:db8::/32", "::1" ]
                  via: off
                  request-id-header: X-Trace-Id
                  client-address-header: forwarded
                runtime:
                  io-threads: 4
                  shutdown-timeout: 10s
                  access-log: logs/access.log
                  watch-config: false
                """));

    assertThat(config.forwarding())
        .isEqualTo(
            new ForwardingConfig(
                List.of("10.0.0.0/8", "192.168.1.1", "2001:db8::/32", "::1"),
                null,
                "X-Trace-Id",
                "forwarded"));
    assertThat(config.runtime())
        .isEqualTo(
            new RuntimeConfig(
                4,
                Duration.ofSeconds(10),
                AccessLogConfig.of(
                    List.of(
                        AccessLogConfig.FileSink.simple("file", dir.resolve("logs/access.log")))),
                false,
                null));
  }

  @Test
  void reportsAnAccessLogInAMissingDirectoryAndAMissingPluginDir() {
    ConfigResult result =
        parse(
            """
            runtime:
              access-log: nowhere/access.log
              plugin-dir: plugins
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:15: runtime.access-log: \"nowhere/access.log\" (expected: stdout, off"
                + " or a file path in an existing directory; "
                + dir.resolve("nowhere")
                + " is not one)",
            "portico.yaml:3:15: runtime.plugin-dir: \"plugins\" (expected: a directory of plugin"
                + " jars; "
                + dir.resolve("plugins")
                + " is not a directory)");
  }
}
