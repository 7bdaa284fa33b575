package io.portico.upstream;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.function.BiConsumer;

/**
 * The header map of a response {@link UpstreamCodec} decodes: Netty's, with the same validators,
 * whose entries are kept when its response is given back, for the next response's fields of the
 * same names ({@link KeptHeaderEntries}). One per response; used on its connection's event loop.
 */
final class ResponseHeaders extends DefaultHttpHeaders {
  private final KeptHeaderEntries entries;

  private ResponseHeaders(DefaultHttpHeadersFactory like, int sizeHint) {
    this(new KeptHeaderEntries(like.getNameValidator(), like.getValueValidator(), sizeHint));
  }

  private ResponseHeaders(KeptHeaderEntries entries) {
    super(entries);
    this.entries = entries;
  }

  /** Empties the map of a response given back, keeping its entries for the next response. */
  void recycle() {
    entries.recycle();
  }

  /** Hands each field to {@code sink}, in order, without the iterator Netty's map makes. */
  void forEachField(BiConsumer<CharSequence, CharSequence> sink) {
    entries.forEachField(sink);
  }

  /** Empties a response's map for the next response decoded into it, keeping what it can. */
  static void empty(HttpHeaders headers) {
    if (headers instanceof ResponseHeaders kept) {
      kept.recycle();
    } else {
      headers.clear();
    }
  }

  /**
   * {@code config} with its header maps made as {@link ResponseHeaders}, with the same validation;
   * a factory other than Netty's plain one is kept as it is.
   */
  static HttpDecoderConfig in(HttpDecoderConfig config) {
    if (!(config.getHeadersFactory() instanceof DefaultHttpHeadersFactory netty)
        || netty.isCombiningHeaders()) {
      return config;
    }
    return config.setHeadersFactory(
        new HttpHeadersFactory() {
          @Override
          public HttpHeaders newHeaders() {
            return new ResponseHeaders(netty, 16);
          }

          @Override
          public HttpHeaders newEmptyHeaders() {
            return new ResponseHeaders(netty, 2);
          }
        });
  }
}
