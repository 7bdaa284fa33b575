package io.portico.observe.log;

import io.portico.config.AccessLogConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The live tail of the access log: the lines of finished exchanges, in the sinks' format and with
 * their redaction (the same {@link LineFormatter} and {@link Redaction}), for the readers that are
 * open now.
 *
 * <pre>
 *   event loop                              │ the reader's own schedule
 *   ExchangeRecord ─▶ LogTail               │
 *     no reader? return (one volatile read) │
 *     per reader: filter (route, status,    │
 *       consumer) ─▶ LogLine, made once ─offer─▶ Reader queue ─▶ drain(): line.json()
 *                     (full: dropped++)     │
 * </pre>
 *
 * <p>{@link #onExchangeComplete} runs on the exchange's event loop and never blocks: each reader
 * has a bounded queue, and a line offered to a full one is dropped and counted, so a slow or absent
 * reader costs the data plane nothing but the drop. With no reader open the tail costs one read of
 * an empty list ({@link #wantsRecords}), and the proxy builds no record for it. Lines are sampled
 * by neither the sinks' {@code sample-ratio} nor the access log's {@code enabled}: a tail shows
 * every exchange its filter matches, except those of routes whose {@code access-log} is off. A
 * reader is drained and closed by whoever opened it, on any one thread.
 */
public final class LogTail implements ExchangeObserver {

  /** Lines a reader's queue holds before new ones are dropped. */
  public static final int CAPACITY = 1024;

  /** Readers open at once; more are refused. */
  public static final int MAX_READERS = 16;

  private final LineFormatter configured;
  private volatile LineFormatter formatter;
  private final CopyOnWriteArrayList<Reader> readers = new CopyOnWriteArrayList<>();
  private volatile Set<String> routesOff = Set.of();

  public LogTail(AccessLogConfig config) {
    this.configured = AccessLogPipeline.formatter(config);
    this.formatter = configured;
  }

  /** As {@link AccessLogPipeline#credentialPlaces}; any thread. */
  public void credentialPlaces(Set<String> headers, Set<String> query) {
    this.formatter = configured.withCredentials(headers, query);
  }

  /** Sets the routes (by name) whose exchanges are not shown; any thread. */
  public void routesOff(Set<String> routes) {
    this.routesOff = Set.copyOf(routes);
  }

  /**
   * Which exchanges a reader sees: each given part must match.
   *
   * @param route the route's name, or null for any
   * @param statusFrom the lowest status shown (inclusive)
   * @param statusTo the highest status shown (inclusive)
   * @param consumer the authenticated consumer's name, or null for any
   */
  public record Filter(
      @Nullable String route, int statusFrom, int statusTo, @Nullable String consumer) {

    /** Every exchange. */
    public static final Filter ALL = new Filter(null, 0, 999, null);

    boolean matches(ExchangeRecord r) {
      return (route == null || route.equals(r.route()))
          && r.status() >= statusFrom
          && r.status() <= statusTo
          && (consumer == null || consumer.equals(r.consumer()));
    }
  }

  /**
   * Opens a reader of the lines {@code filter} matches from now on; null when too many are open.
   */
  public synchronized @Nullable Reader open(Filter filter) {
    if (readers.size() >= MAX_READERS) {
      return null;
    }
    Reader r = new Reader(filter);
    readers.add(r);
    return r;
  }

  /** Readers open now. */
  public int readers() {
    return readers.size();
  }

  /** Only while a reader is open: with none, the proxy builds no record for the tail. */
  @Override
  public boolean wantsRecords() {
    return !readers.isEmpty();
  }

  /**
   * Keeps a copy of the record without its headers in the line it queues ({@link
   * ExchangeRecord#withoutHeaders}), never the record itself.
   */
  @Override
  public boolean keepsRecords() {
    return false;
  }

  @Override
  public boolean readsRequestHeaders() {
    return formatter.readsRequestHeaders();
  }

  @Override
  public void onExchangeComplete(ExchangeRecord record) {
    if (readers.isEmpty() || (record.route() != null && routesOff.contains(record.route()))) {
      return;
    }
    LogLine line = null;
    for (Reader r : readers) {
      if (r.filter.matches(record)) {
        if (line == null) {
          line = formatter.line(record);
        }
        r.offer(line);
      }
    }
  }

  /** One open tail: a bounded queue of lines and a count of the lines it dropped. */
  public final class Reader implements AutoCloseable {

    private final Filter filter;
    private final ArrayBlockingQueue<LogLine> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();

    private Reader(Filter filter) {
      this.filter = Objects.requireNonNull(filter);
    }

    void offer(LogLine line) {
      if (!queue.offer(line)) {
        dropped.incrementAndGet();
      }
    }

    /** Up to {@code max} queued lines, oldest first: each one JSON object in UTF-8. */
    public List<byte[]> drain(int max) {
      List<LogLine> lines = new ArrayList<>(Math.min(max, queue.size()));
      queue.drainTo(lines, max);
      List<byte[]> out = new ArrayList<>(lines.size());
      for (LogLine l : lines) {
        out.add(l.json());
      }
      return out;
    }

    /** The lines dropped since the last call, because the queue was full. */
    public long takeDropped() {
      return dropped.getAndSet(0);
    }

    /** Stops this reader's lines; queued ones are let go. */
    @Override
    public void close() {
      readers.remove(this);
      queue.clear();
    }
  }
}
