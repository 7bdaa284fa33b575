package io.portico.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Writes one JSON line per exchange, off the event loops.
 *
 * <p>Event loops only offer the finished {@link ExchangeRecord} to a bounded queue, which never
 * blocks: when the writer falls behind, lines are dropped and counted ({@link #dropped()}) rather
 * than slowing traffic. One daemon thread formats and writes the lines, flushing whenever the queue
 * runs empty.
 *
 * <p>Fields: {@code time, request_id, trace_id, client, method, path, protocol, host, route,
 * service, upstream, status, bytes_in, bytes_out, duration_ms, upstream_connect_ms,
 * upstream_response_ms, failure, grpc_status, attempts, user_agent, backends}; {@code trace_id}
 * only when tracing is on; {@code backends}, for an aggregate route, lists each backend call as
 * {@code {name, service, upstream, status, duration_ms, failure}}. Absent values are omitted.
 * Credentials never appear: query strings are not logged and no header but User-Agent is.
 */
public final class AccessLog implements ExchangeObserver, AutoCloseable {

  private static final int CAPACITY = 65_536;
  private static final ExchangeRecord STOP =
      ExchangeRecord.builder().method("").path("").protocol("").build();

  private final BlockingQueue<ExchangeRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final Writer out;
  private final boolean closeOut;
  private final JsonFactory json = new JsonFactory();
  private final Thread writer;

  private AccessLog(OutputStream stream, boolean closeOut) {
    this.out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
    this.closeOut = closeOut;
    this.writer = new Thread(this::drainLoop, "portico-access-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * The access log for a {@code runtime.access-log} setting: {@code stdout}, {@code off} (null is
   * returned) or a file path (appended to).
   */
  public static @Nullable AccessLog open(@Nullable String target) throws IOException {
    if (target == null || target.equals("off")) {
      return null;
    }
    if (target.equals("stdout")) {
      return new AccessLog(System.out, false);
    }
    Path file = Path.of(target);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    return new AccessLog(
        Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
  }

  /** For tests: writes to {@code stream}. */
  public static AccessLog to(OutputStream stream) {
    return new AccessLog(stream, false);
  }

  @Override
  public void onExchangeComplete(ExchangeRecord record) {
    if (!queue.offer(record)) {
      dropped.incrementAndGet();
    }
  }

  /** Lines dropped because the writer could not keep up. */
  public long dropped() {
    return dropped.get();
  }

  private void drainLoop() {
    List<ExchangeRecord> batch = new ArrayList<>(256);
    try {
      while (true) {
        ExchangeRecord first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 255);
        for (ExchangeRecord r : batch) {
          if (r == STOP) {
            out.flush();
            return;
          }
          write(r);
        }
        batch.clear();
        if (queue.isEmpty()) {
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("access log stopped: " + e);
    }
  }

  private void write(ExchangeRecord r) throws IOException {
    try (JsonGenerator g = json.createGenerator(new NonClosingWriter(out))) {
      g.writeStartObject();
      g.writeStringField("time", Instant.ofEpochMilli(r.startEpochMillis()).toString());
      field(g, "request_id", r.requestId());
      field(g, "trace_id", r.traceId());
      field(g, "client", r.clientAddress());
      field(g, "method", r.method());
      field(g, "path", r.path());
      field(g, "protocol", r.protocol());
      field(g, "host", r.host());
      field(g, "route", r.route());
      field(g, "service", r.service());
      field(g, "upstream", r.upstream());
      g.writeNumberField("status", r.status());
      g.writeNumberField("bytes_in", r.requestBytes());
      g.writeNumberField("bytes_out", r.responseBytes());
      g.writeNumberField("duration_ms", round(r.durationMillis()));
      if (r.upstreamConnectMillis() >= 0) {
        g.writeNumberField("upstream_connect_ms", round(r.upstreamConnectMillis()));
      }
      if (r.upstreamResponseMillis() >= 0) {
        g.writeNumberField("upstream_response_ms", round(r.upstreamResponseMillis()));
      }
      field(g, "failure", r.failure());
      if (r.grpcStatus() >= 0) {
        g.writeNumberField("grpc_status", r.grpcStatus());
      }
      if (r.attempts() > 0) {
        g.writeNumberField("attempts", r.attempts());
      }
      field(g, "user_agent", r.userAgent());
      if (!r.backends().isEmpty()) {
        g.writeArrayFieldStart("backends");
        for (ExchangeRecord.Backend b : r.backends()) {
          g.writeStartObject();
          g.writeStringField("name", b.name());
          g.writeStringField("service", b.service());
          field(g, "upstream", b.upstream());
          if (b.status() > 0) {
            g.writeNumberField("status", b.status());
          }
          if (b.durationMillis() >= 0) {
            g.writeNumberField("duration_ms", round(b.durationMillis()));
          }
          field(g, "failure", b.failure());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    out.write('\n');
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  private static void field(JsonGenerator g, String name, @Nullable String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  /**
   * Stops the writer after the lines already queued are written, waiting at most a few seconds: a
   * writer stuck on its output (a full disk, a blocked pipe) is interrupted rather than waited on.
   */
  @Override
  public void close() {
    try {
      if (!queue.offer(STOP, 2, TimeUnit.SECONDS)) {
        writer.interrupt();
      }
      writer.join(2000);
      if (writer.isAlive()) {
        writer.interrupt();
        writer.join(500);
      }
      if (closeOut) {
        out.close();
      } else {
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /** Lets a generator write to the shared writer without closing it. */
  private static final class NonClosingWriter extends java.io.FilterWriter {
    NonClosingWriter(Writer out) {
      super(out);
    }

    @Override
    public void close() throws IOException {
      flush();
    }

    @Override
    public void flush() {}
  }
}
