package io.portico.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.upstream.UpstreamCodec;
import io.portico.upstream.h2.H2Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client connection reuses from one exchange to the next: the builder of the records its
 * observers take, and the request and upstream response objects that the codecs decode into again.
 *
 * <p>Ownership: one per client connection (or HTTP/2 stream's handler), used on its event loop
 * only. A record is built only while the exchange finishes: into the builder's shared record when
 * no observer keeps records ({@link ExchangeObserver#keepsRecords}), so that the connection's
 * exchanges cost no record, else a record of its own; the builder drops the exchange's maps and
 * bodies once the observers have read it, so the builder (and its shared record) holds nothing of
 * its last exchange but plain values. The exchange itself and its upstream call are reused by the
 * connection's handler ({@link DownstreamHandler}'s spare, {@link HttpExchange#reuse}), which then
 * keeps that exchange's facts (its route, its snapshot) until the next request clears them or the
 * connection closes.
 */
final class ConnectionReuse {

  private static final Logger log = LoggerFactory.getLogger(ConnectionReuse.class);

  private ExchangeRecord.@Nullable Builder recordBuilder;

  /** Hands the finished exchange's record to the observer, when it takes records. */
  void observe(ExchangeObserver observer, HttpExchange exchange) {
    if (observer == ExchangeObserver.NONE || !observer.wantsRecords()) {
      return;
    }
    try {
      if (observer.readsRequestHeaders()) {
        UpstreamHead.completeForwarding(exchange);
      }
      ExchangeRecord.Builder b = recordBuilder;
      if (b == null) {
        b = ExchangeRecord.builder();
        recordBuilder = b;
      }
      try {
        observer.onExchangeComplete(
            ExchangeRecords.of(exchange, b, observer.readsRequestId(), observer.keepsRecords()));
      } finally {
        ExchangeRecords.release(b);
      }
    } catch (RuntimeException e) {
      log.warn("exchange observer failed", e);
    }
  }

  /**
   * Gives the finished exchange's request back to the client codec ({@link ClientCodec#recycle})
   * and its upstream response to the upstream codec or HTTP/2 connection that decoded it ({@link
   * UpstreamCodec#recycle}, {@link H2Response#recycle}), when nothing can still read them ({@link
   * HttpExchange#requestUnshared}: it succeeded on an HTTP/1.1 connection that stays open, and no
   * plugin, mirror, gRPC call, aggregation, AI call, trace or upgrade saw it, so no response phase
   * or body stage either: those come from plugins). The response goes back only when no body
   * capture saw it either: then the client codec encoded its head when it was written, on this
   * event loop (the upstream codec checks that its own is the same), observers read it only while
   * the exchange finished, and nothing holds it any more.
   */
  static void giveBack(HttpExchange exchange) {
    if (!exchange.requestUnshared()) {
      return;
    }
    ClientCodec.recycle(exchange.request);
    HttpResponse response = exchange.response;
    if (response != null && exchange.captured == null) {
      UpstreamCodec.recycle(response);
      H2Response.recycle(response);
    }
  }
}
