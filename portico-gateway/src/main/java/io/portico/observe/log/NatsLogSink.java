package io.portico.observe.log;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.portico.config.AccessLogConfig.NatsSink;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Each line published as one message on a NATS subject (core NATS; a JetStream stream that captures
 * the subject persists them).
 *
 * <p>The connection opens on the first batch; when the server is unreachable the batch fails and
 * the next one tries again. Once connected, the client reconnects by itself and holds what is
 * published meanwhile in its reconnect buffer (8 MB); a publish it cannot buffer fails the batch.
 */
final class NatsLogSink implements LogSink {

  private final NatsSink config;
  private @Nullable Connection connection;

  NatsLogSink(NatsSink config) {
    this.config = config;
  }

  @Override
  public void deliver(List<LogLine> batch) throws IOException, InterruptedException {
    Connection c = connection();
    try {
      for (LogLine line : batch) {
        c.publish(config.subject(), line.json());
      }
    } catch (IllegalStateException e) {
      throw new IOException("NATS publish failed: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws IOException, InterruptedException {
    if (connection != null && connection.getStatus() == Connection.Status.CLOSED) {
      connection = null;
    }
    if (connection == null) {
      Options options =
          Options.builder()
              .server(config.url())
              .connectionName("portico-access-log")
              .connectionTimeout(config.timeout())
              .maxReconnects(-1)
              .build();
      connection = Nats.connect(options);
    }
    return connection;
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.flush(config.timeout());
      } catch (Exception e) {
        // closing anyway
      }
      try {
        connection.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      connection = null;
    }
  }
}
