package io.portico.observe.log;

import java.util.List;

/**
 * A destination of access-log lines. A sink is driven by its {@link QueuedSink}: every method is
 * called on that sink's own thread, never on an event loop, one call at a time, so a sink may block
 * (a slow disk, a collector that answers late) and needs no locking of its own.
 *
 * <p>A sink that cannot deliver a batch throws; the lines of that batch are counted as failed and
 * the next batch is tried afresh, so a sink reconnects (or reopens) as part of its next {@link
 * #deliver} call.
 */
public interface LogSink extends AutoCloseable {

  /** Delivers the lines, in order. */
  void deliver(List<LogLine> batch) throws Exception;

  /**
   * Called when no line arrived for a while (at most {@link QueuedSink#IDLE_TICK}): flush, rotate
   * by time.
   */
  default void idle() throws Exception {}

  /** Releases the destination; called once, after the last {@link #deliver}. */
  @Override
  void close();
}
