package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadTriggersTest {

  @Test
  void logsAReloadThatThrowsAndStillReloadsOnTheNextChange(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(file, "routes: []\n");
    AtomicInteger reloads = new AtomicInteger();
    Runnable reload =
        () -> {
          if (reloads.incrementAndGet() == 1) {
            throw new IllegalStateException("a bug in the reload");
          }
        };

    try (LogCapture log = LogCapture.capture();
        ReloadTriggers triggers = new ReloadTriggers(reload)) {
      triggers.watch(file);

      Files.writeString(file, "routes: [ ]\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 1);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(log.warnings())
                      .anySatisfy(
                          w ->
                              assertThat(w)
                                  .startsWith("ERROR")
                                  .contains("config reload (file changed) failed")
                                  .contains("[java.lang.IllegalStateException]")));

      Files.writeString(file, "routes: []  \n");
      await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 2);
    }
  }
}
