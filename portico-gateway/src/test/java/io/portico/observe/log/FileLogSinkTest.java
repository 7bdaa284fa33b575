package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.FileSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sink: plain appending by default, rotation by size and time, gzip and retention. */
class FileLogSinkTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AccessLogPipeline pipeline;

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private Path log() {
    return dir.resolve("access.log");
  }

  private List<Path> rotated() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("access.log."))
          .sorted()
          .toList();
    }
  }

  private static List<String> lines(Path file) throws IOException {
    if (file.toString().endsWith(".gz")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      }
    }
    return Files.readAllLines(file);
  }

  private void offer(int n, String route) {
    for (int i = 0; i < n; i++) {
      pipeline.onExchangeComplete(Records.record(route, 200));
    }
  }

  @Test
  void appendsWithoutRotatingByDefault() throws Exception {
    Files.writeString(log(), "{\"earlier\":true}\n");
    pipeline = Records.pipeline(FileSink.simple("file", log()));

    offer(200, "api");
    await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.sinks().get(0).delivered() == 200);
    pipeline.close();

    List<String> lines = lines(log());
    assertThat(lines).hasSize(201);
    assertThat(lines.get(0)).isEqualTo("{\"earlier\":true}");
    assertThat(JSON.readTree(lines.get(200)).get("route").asText()).isEqualTo("api");
    assertThat(rotated()).isEmpty();
  }

  @Test
  void rotatesBySizeGzipsRotatedFilesAndKeepsOnlyTheNewest() throws Exception {
    pipeline =
        Records.pipeline(
            new FileSink("file", AccessLogConfig.DEFAULT_QUEUE, log(), 1024, null, true, 2, null));

    offer(40, "api");
    await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.sinks().get(0).delivered() == 40);

    List<Path> rotated = rotated();
    assertThat(rotated).hasSize(2);
    for (Path f : rotated) {
      assertThat(f.getFileName().toString()).matches("access\\.log\\.\\d{8}-\\d{6}-\\d{3}\\.gz");
      List<String> lines = lines(f);
      assertThat(lines).isNotEmpty();
      assertThat(lines.stream().mapToInt(l -> l.length() + 1).sum()).isLessThanOrEqualTo(1024);
      for (String line : lines) {
        assertThat(JSON.readTree(line).get("status").asInt()).isEqualTo(200);
      }
    }
    assertThat(Files.size(log())).isPositive().isLessThanOrEqualTo(1024);
  }

  @Test
  void rotatesByTimeAfterTheInterval() throws Exception {
    pipeline =
        Records.pipeline(
            new FileSink(
                "file",
                AccessLogConfig.DEFAULT_QUEUE,
                log(),
                0,
                Duration.ofMillis(300),
                false,
                0,
                null));

    offer(1, "first");
    // The file is rotated while the sink is idle, once it is older than the interval.
    await().atMost(Duration.ofSeconds(5)).until(() -> rotated().size() == 1);
    assertThat(lines(rotated().get(0))).hasSize(1).allMatch(l -> l.contains("\"first\""));

    offer(1, "second");
    await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.sinks().get(0).delivered() == 2);
    assertThat(lines(log())).hasSize(1).allMatch(l -> l.contains("\"second\""));
  }

  @Test
  void deletesRotatedFilesOlderThanMaxAge() throws Exception {
    Path old = dir.resolve("access.log.20200101-000000-000.gz");
    Files.write(old, new byte[] {1});
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
    Path unrelated = dir.resolve("access.log.backup");
    Files.write(unrelated, new byte[] {1});
    Files.setLastModifiedTime(unrelated, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
    pipeline =
        Records.pipeline(
            new FileSink(
                "file",
                AccessLogConfig.DEFAULT_QUEUE,
                log(),
                1024,
                null,
                false,
                0,
                Duration.ofDays(1)));

    offer(10, "api");
    await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.sinks().get(0).delivered() == 10);

    assertThat(old).doesNotExist();
    assertThat(unrelated).exists();
    List<Path> kept = new ArrayList<>(rotated());
    kept.remove(unrelated);
    assertThat(kept).isNotEmpty();
    int total = lines(log()).size();
    for (Path f : kept) {
      total += lines(f).size();
    }
    assertThat(total).isEqualTo(10);
  }
}
