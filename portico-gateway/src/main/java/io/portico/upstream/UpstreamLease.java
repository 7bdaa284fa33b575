package io.portico.upstream;

import io.netty.channel.Channel;

/**
 * What an {@link UpstreamCall} holds while it talks to an endpoint: an HTTP/1.1 connection ({@link
 * UpstreamConnection}) or one stream of a multiplexed HTTP/2 connection ({@code h2.H2Stream}). Both
 * take the request as HTTP/1.1 objects written to {@link #channel()} and hand the response to the
 * lease's {@link UpstreamListener} as HTTP/1.1 objects, so the call has one code path for both
 * protocols: the channel's writability is the request's backpressure, its {@code autoRead} the
 * response's (for a stream, HTTP/2 flow control: a stream that is not read sends no WINDOW_UPDATE).
 *
 * <p>Confined to its event loop; one lease serves one call, from {@link AcquireCallback#onAcquired}
 * to {@link #release}.
 */
public interface UpstreamLease {

  /** Where request objects are written and whose {@code autoRead} paces the response. */
  Channel channel();

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
