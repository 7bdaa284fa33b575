package io.portico.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The JSON lines of a gateway's access log file sink, read back by tests. The gateway's config
 * declares the sink ({@link #RUNTIME} is a {@code runtime:} section with one, at {@code access.log}
 * next to the config file, logging {@code path}, {@code status} and {@code failure}).
 */
public final class AccessLogFile {

  /** A {@code runtime:} section whose access log writes path, status and failure to a file. */
  public static final String RUNTIME =
      """
      runtime:
        io-threads: 1
        watch-config: false
        shutdown-timeout: 1s
        access-log:
          fields: { include: [ path, status, failure ] }
          sinks:
            - type: file
              name: main
              path: access.log
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  public AccessLogFile(GatewayFixture gw) {
    this.file = gw.configFile().resolveSibling("access.log");
  }

  /** The line of the one request to {@code path}, waited for (the sink writes asynchronously). */
  public JsonNode lineOf(String path) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              found.set(find(path));
              return found.get() != null;
            });
    return found.get();
  }

  /** The {@code failure} of the request to {@code path}, or null when its line has none. */
  public String failureOf(String path) {
    JsonNode failure = lineOf(path).get("failure");
    return failure == null || failure.isNull() ? null : failure.asText();
  }

  private JsonNode find(String path) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          continue; // the line being written
        }
        if (path.equals(node.path("path").asText())) {
          return node;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return null;
  }
}
