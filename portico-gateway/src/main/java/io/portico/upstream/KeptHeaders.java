package io.portico.upstream;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The header map of a message that Portico's HTTP/1.1 codecs decode, a request by the client side's
 * {@code ClientCodec} or a response by {@link UpstreamCodec}: Netty's, with the same validators,
 * whose entries are kept when its message is given back, for the next message's fields of the same
 * names ({@link KeptHeaderEntries}). It answers {@link #getAll} for a name it does not hold with
 * the shared empty list: Netty's decoders ask every head for its {@code Content-Length} fields,
 * which most heads do not have, and its map wraps even an empty answer in a new list. {@link
 * HeadBytes} writes its fields without an iterator.
 *
 * <p>One per message; used on its connection's event loop only.
 */
public final class KeptHeaders extends DefaultHttpHeaders {
  private final KeptHeaderEntries entries;

  private KeptHeaders(DefaultHttpHeadersFactory like, int sizeHint) {
    this(new KeptHeaderEntries(like.getNameValidator(), like.getValueValidator(), sizeHint));
  }

  private KeptHeaders(KeptHeaderEntries entries) {
    super(entries);
    this.entries = entries;
  }

  /** A map of {@code like}'s validation, for a message that is decoded into again. */
  public static KeptHeaders of(DefaultHttpHeadersFactory like) {
    return new KeptHeaders(like, 16);
  }

  /** Empties the map of a message given back, keeping its entries for the next message. */
  public void recycle() {
    entries.recycle();
  }

  /** Adds a field already checked by the decoder ({@link KeptHeaderEntries#addChecked}). */
  public void addChecked(AsciiString name, String value) {
    entries.addChecked(name, value);
  }

  /** Hands each field to {@code sink}, in order, without the iterator Netty's map makes. */
  void forEachField(BiConsumer<CharSequence, CharSequence> sink) {
    entries.forEachField(sink);
  }

  /**
   * How many fields named {@code name} (without case) the map holds, counted without an iterator.
   */
  public int count(AsciiString name) {
    return entries.count(name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    return contains(name) ? super.getAll(name) : List.of();
  }

  /** Empties a message's map for the next message decoded into it, keeping what it can. */
  public static void empty(HttpHeaders headers) {
    if (headers instanceof KeptHeaders kept) {
      kept.recycle();
    } else {
      headers.clear();
    }
  }

  /**
   * {@code config} with its header maps made as {@link KeptHeaders}, with the same validation; a
   * factory other than Netty's plain one, or one that combines fields, is kept as it is. The caller
   * passes a config of its own (a clone), which this sets.
   */
  public static HttpDecoderConfig in(HttpDecoderConfig config) {
    if (!(config.getHeadersFactory() instanceof DefaultHttpHeadersFactory netty)
        || netty.isCombiningHeaders()) {
      return config;
    }
    return config.setHeadersFactory(
        new HttpHeadersFactory() {
          @Override
          public HttpHeaders newHeaders() {
            return new KeptHeaders(netty, 16);
          }

          @Override
          public HttpHeaders newEmptyHeaders() {
            return new KeptHeaders(netty, 2);
          }
        });
  }
}
