package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.spi.plugin.RequestBodyTransform;
import org.jspecify.annotations.Nullable;

/**
 * A plugin's {@link RequestBodyTransform} as the exchange runs it: each piece of the client's body
 * in, the piece to send upstream out, the transform closed exactly once (after the body's end, or
 * when the exchange ends first). Confined to the exchange's event loop.
 */
final class TransformedRequestBody {

  private final RequestBodyTransform transform;
  private boolean closed;

  TransformedRequestBody(RequestBodyTransform transform) {
    this.transform = transform;
  }

  /**
   * The content to send upstream for {@code content} (released here): null when the piece yields
   * nothing yet; the last piece always yields a {@link LastHttpContent}, without trailers.
   *
   * @throws RequestBodyTransform.Refused when the plugin refuses the body
   */
  @Nullable HttpContent apply(HttpContent content, ByteBufAllocator alloc)
      throws RequestBodyTransform.Refused {
    if (closed) {
      content.release();
      throw new IllegalStateException("the request body transform is closed");
    }
    boolean last = content instanceof LastHttpContent;
    ByteBuf out;
    try {
      out = transform.next(content.content(), alloc);
    } finally {
      content.release();
    }
    if (!last) {
      if (out.isReadable()) {
        return new DefaultHttpContent(out);
      }
      out.release();
      return null;
    }
    ByteBuf tail;
    try {
      tail = transform.end(alloc);
    } catch (RequestBodyTransform.Refused | RuntimeException e) {
      out.release();
      throw e;
    }
    close();
    if (!tail.isReadable()) {
      tail.release();
      return new DefaultLastHttpContent(out);
    }
    if (!out.isReadable()) {
      out.release();
      return new DefaultLastHttpContent(tail);
    }
    return new DefaultLastHttpContent(alloc.compositeBuffer(2).addComponents(true, out, tail));
  }

  /** Closes the transform, once. */
  void close() {
    if (!closed) {
      closed = true;
      transform.close();
    }
  }
}
