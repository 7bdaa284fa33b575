package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * What both HTTP/1.1 codecs' decoders do beside Netty's, the client side's requests ({@code
 * proxy.ClientCodec}) and {@link UpstreamCodec}'s responses: a plain head's message emitted as
 * Netty's decoder emits it, its {@code Content-Length} body framed as Netty frames it, and when
 * Netty's decoder, once it took a message, is between messages again.
 *
 * <p>Stateless: the decoders keep their own state (the body bytes still to come, whether Netty's
 * decoder owns the bytes) and pass it in.
 */
public final class PlainDecoding {

  private PlainDecoding() {}

  /**
   * Emits a plain head's {@code message}, built from the first {@code headLength} bytes of {@code
   * buffer}, which it consumes; then the empty last content when the message has no body.
   *
   * @param bodyLength the body's {@code Content-Length}, 0 when the message has none
   * @return the body bytes still to come
   */
  public static long emitHead(
      HttpMessage message, ByteBuf buffer, int headLength, long bodyLength, List<Object> out) {
    // Netty's decoder sets a result that also holds the head's line lengths (package-private to
    // it); nothing here reads them.
    message.setDecoderResult(DecoderResult.SUCCESS);
    buffer.skipBytes(headLength);
    out.add(message);
    if (bodyLength > 0) {
      return bodyLength;
    }
    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
    return 0;
  }

  /**
   * Emits what {@code buffer} holds of a plain message's body, at most {@code maxChunkSize} bytes
   * of it and no more than {@code remaining}: a content, or the last content when it ends the body.
   *
   * @return the body bytes still to come
   */
  public static long readBody(
      ByteBuf buffer,
      long remaining,
      int maxChunkSize,
      HttpHeadersFactory trailersFactory,
      List<Object> out) {
    int readable = buffer.readableBytes();
    if (readable == 0) {
      return remaining;
    }
    int n = (int) Math.min(Math.min(readable, maxChunkSize), remaining);
    ByteBuf content = buffer.readRetainedSlice(n);
    long left = remaining - n;
    out.add(
        left == 0
            ? new DefaultLastHttpContent(content, trailersFactory)
            : new DefaultHttpContent(content));
    return left;
  }

  /**
   * Whether Netty's decoder, given the bytes, is between messages again: what it emitted from
   * {@code from} on ends with a last content and holds no failure. After a failure it discards the
   * rest of the connection, and the bytes stay its own.
   */
  public static boolean nettyBetweenMessages(List<Object> out, int from) {
    int size = out.size();
    for (int i = from; i < size; i++) {
      if (out.get(i) instanceof HttpObject msg && msg.decoderResult().isFailure()) {
        return false;
      }
    }
    return size > from && out.get(size - 1) instanceof LastHttpContent;
  }
}
