package io.portico.observe.log;

import io.portico.config.AccessLogConfig.HttpSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Batches POSTed to a collector as one JSON array ({@code Content-Type: application/json}), on the
 * JDK HTTP client, synchronously on the sink's thread.
 *
 * <p>A 2xx answer delivers the batch. A 5xx, 408 or 429 answer, a timeout or a connection failure
 * is retried up to {@code retries} times, waiting {@code backoff}, then twice as long each time up
 * to {@code max-backoff}; any other answer, or the last failed attempt, fails the batch (its lines
 * are counted as failed). While the sink waits, its queue keeps filling and drops when full, so a
 * collector that is down costs bounded memory and nothing on the event loops.
 */
final class HttpLogSink implements LogSink {

  private final HttpSink config;
  private final HttpClient client;

  HttpLogSink(HttpSink config) {
    this.config = config;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(config.timeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @Override
  public void deliver(List<LogLine> batch) throws IOException, InterruptedException {
    HttpRequest request = request(body(batch));
    Duration wait = config.backoff();
    for (int attempt = 0; ; attempt++) {
      String failure;
      boolean retryable;
      try {
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return;
        }
        failure = "the collector answered " + status;
        retryable = status >= 500 || status == 408 || status == 429;
      } catch (IOException e) {
        failure = e.toString();
        retryable = true;
      }
      if (!retryable || attempt >= config.retries()) {
        throw new IOException(failure + " (attempts: " + (attempt + 1) + ")");
      }
      Thread.sleep(wait.toMillis());
      wait = min(wait.multipliedBy(2), config.maxBackoff());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private HttpRequest request(byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(config.url())
            .timeout(config.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, String> h : config.headers().entrySet()) {
      b.header(h.getKey(), h.getValue());
    }
    return b.build();
  }

  /** The lines as one JSON array. */
  static byte[] body(List<LogLine> batch) {
    int size = 2;
    for (LogLine line : batch) {
      size += line.json().length + 1;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(batch.get(i).json());
    }
    out.write(']');
    return out.toByteArray();
  }

  @Override
  public void close() {
    // The JDK client has no close before Java 21; its threads end with the last reference.
  }
}
