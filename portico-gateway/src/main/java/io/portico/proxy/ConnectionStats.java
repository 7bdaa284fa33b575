package io.portico.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.List;

/**
 * What metrics read of the open client connections, sampled on their event loop when {@code
 * /metrics} is scraped, so the data path keeps no counter of its own: a connection's listener,
 * whether it speaks HTTP/2, and how many exchanges are in flight on it (active streams for HTTP/2,
 * zero or one for HTTP/1.x). A TLS connection still negotiating its protocol counts as HTTP/1.1.
 */
public final class ConnectionStats {

  /** Receives one connection's sample. */
  public interface Sink {
    /**
     * @param listener the index of the listener that accepted it, in bind order
     * @param http2 whether it speaks HTTP/2
     * @param inFlight exchanges in progress on it
     */
    void connection(int listener, boolean http2, int inFlight);
  }

  private ConnectionStats() {}

  /** Samples the connections of {@code clients} that belong to {@code loop}; call on that loop. */
  static void sample(EventLoop loop, Iterable<Channel> clients, List<Channel> servers, Sink sink) {
    for (Channel ch : clients) {
      if (ch.eventLoop() != loop || !ch.isActive()) {
        continue;
      }
      int listener = servers.indexOf(ch.parent());
      if (listener < 0) {
        continue;
      }
      Http2ClientConnection h2 = ch.pipeline().get(Http2ClientConnection.class);
      if (h2 != null) {
        sink.connection(listener, true, h2.activeStreams());
      } else {
        DownstreamHandler h = ch.pipeline().get(DownstreamHandler.class);
        sink.connection(listener, false, h != null && h.busy() ? 1 : 0);
      }
    }
  }
}
