package io.portico.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * Receives what happens on a leased upstream connection. Called on the connection's event loop,
 * which is also the exchange's. Ownership of every message passes to the listener.
 */
public interface UpstreamListener {

  /** The response head arrived (informational 1xx heads included). */
  void onResponseHead(HttpResponse response);

  /** A piece of the response body; {@code LastHttpContent} ends the response. */
  void onResponseContent(HttpContent content);

  /** Raw bytes after a protocol switch (101); the listener owns and must release them. */
  void onUpgradedData(io.netty.buffer.ByteBuf data);

  /** The upstream flushed a burst of reads: flush what was written downstream. */
  void onReadComplete();

  /** The connection closed or failed while leased. */
  void onUpstreamClosed(@Nullable Throwable cause);

  /** The connection's writability changed (backpressure for request bodies). */
  void onUpstreamWritabilityChanged(boolean writable);

  /** The deadline armed with {@link UpstreamConnection#armDeadline} passed. */
  default void onDeadline() {}
}
