package io.portico.upstream;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;

/**
 * What an {@link UpstreamCall} holds while it talks to an endpoint: an HTTP/1.1 connection ({@link
 * UpstreamConnection}) or one stream of a multiplexed HTTP/2 connection ({@code h2.H2Stream}). Both
 * take the request as HTTP/1.1 objects ({@link #write}) and hand the response to the lease's {@link
 * UpstreamListener} as HTTP/1.1 objects, so the call has one code path for both protocols: {@link
 * #isWritable()} is the request's backpressure, {@link #readResponse} the response's (for a stream,
 * HTTP/2 flow control: a stream that is not read returns no window to the upstream).
 *
 * <p>Confined to its event loop; one lease serves one call, from {@link AcquireCallback#onAcquired}
 * to {@link #release}.
 */
public interface UpstreamLease {

  /** The event loop the lease, its connection and its call are confined to. */
  EventLoop eventLoop();

  /**
   * Writes a piece of the request (not flushed); ownership passes to the lease. Written after the
   * lease closed, it is released.
   */
  void write(HttpObject message);

  /** Sends what was written. A stream's flushes may be batched into its connection's next one. */
  void flush();

  /**
   * Runs {@code work} later in this event-loop turn, before the connection's flush that ends it:
   * for a request head held until the rest of the request read in the same turn can join it. By
   * default a task of the event loop; a multiplexed connection runs the work of all its streams in
   * the one flush it makes per read burst or turn, so a stream costs no task of its own.
   */
  default void beforeTurnFlush(Runnable work) {
    eventLoop().execute(work);
  }

  /** Whether the lease takes more request content now without queueing it. */
  boolean isWritable();

  /**
   * Reads the response ({@code true}, the start) or holds it ({@code false}): a held HTTP/1.1
   * connection is not read, a held stream returns no flow-control window, so the upstream stops
   * after what it may still send.
   */
  void readResponse(boolean read);

  Endpoint endpoint();

  /** Whether the connection under the lease served a request before this one. */
  boolean reused();

  /** The lease's clock (its event loop's ticker), for deadlines. */
  long nanoTime();

  /**
   * Arms the lease's deadline: at {@code nanoTime} the listener's {@link
   * UpstreamListener#onDeadline} runs. Ended by {@link #disarmDeadline} and by the end of the
   * lease.
   */
  void armDeadline(long nanoTime);

  void disarmDeadline();

  /**
   * Ends the lease. {@code reusable}: both messages are complete and the connection may serve
   * another request; otherwise it is closed (a stream is reset, its connection kept).
   */
  void release(boolean reusable);
}
