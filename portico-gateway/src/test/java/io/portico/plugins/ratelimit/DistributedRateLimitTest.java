package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PorticoProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three gateways as separate processes sharing the real Redis, hammered concurrently against one
 * global limit of 100 per minute: exactly 100 pass in total, for both window algorithms.
 */
class DistributedRateLimitTest {

  private static final Pattern LISTENING =
      Pattern.compile("listening on +http://127\\.0\\.0\\.1:(\\d+)\\n");
  private static final List<PorticoProcess> gateways = new ArrayList<>();
  private static final List<Integer> ports = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("portico-distributed");
    String prefix = "portico-test:" + UUID.randomUUID() + ":";
    StringBuilder routes = new StringBuilder("routes:\n");
    for (String algorithm : List.of("fixed-window", "sliding-window")) {
      routes.append(
          """
            - name: %1$s
              paths: [ "/%1$s" ]
              plugins:
                rate-limit:
                  name: %1$s
                  algorithm: %1$s
                  limits: [ { requests: 100, window: 1m } ]
                  key: global
                  policy: redis
                  redis: { url: "redis://127.0.0.1:6379", prefix: "%2$s", timeout: 2s, on-failure: fail-closed }
                mock: { status: 200 }
          """
              .formatted(algorithm, prefix));
    }
    Path config = dir.resolve("portico.yaml");
    Files.writeString(
        config,
        "listeners:\n  - address: 127.0.0.1:0\nadmin: off\n"
            + routes
            + "runtime:\n  io-threads: 1\n  watch-config: false\n  access-log: off\n"
            + "  shutdown-timeout: 1s\n");
    for (int i = 0; i < 3; i++) {
      gateways.add(PorticoProcess.start(dir, "run", "-c", config.toString()));
    }
    for (PorticoProcess p : gateways) {
      ports.add(Integer.parseInt(p.awaitStdout(LISTENING, Duration.ofSeconds(30)).group(1)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (PorticoProcess p : gateways) {
      p.close();
    }
  }

  @Test
  void threeInstancesAdmitExactlyTheGlobalLimit() throws Exception {
    Load.awayFromMinuteEdge(Duration.ofSeconds(15));
    for (String algorithm : List.of("fixed-window", "sliding-window")) {
      int admitted =
          Load.admitted(
              900, 30, i -> URI.create("http://127.0.0.1:" + ports.get(i % 3) + "/" + algorithm));
      assertThat(admitted).as(algorithm).isEqualTo(100);
    }
  }
}
