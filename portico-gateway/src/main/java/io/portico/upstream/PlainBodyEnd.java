package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpObject;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The end of a plain response's {@code Content-Length} body as {@link UpstreamCodec} emits it: a
 * {@link LastHttpContent} that belongs to the decoded response it ends and is filled again for that
 * response object's next body, instead of Netty's {@code DefaultLastHttpContent} and trailer map
 * per response.
 *
 * <p>Ownership: it follows its response. The codec takes it again only for a response decoded into
 * a response object given back ({@link UpstreamCodec#recycle}), which an exchange does only when
 * nothing can read that response any more, and so nothing this end either: it was written to the
 * client (whose encoder released its content and keeps no reference to the holder), and its
 * trailers, read by the exchange, are as unreachable as the response's headers. Giving back the
 * response also drops the content this end pointed to. Reference counting is its content's, as with
 * Netty's holders. Used on its connection's event loop only.
 */
final class PlainBodyEnd extends DefaultHttpObject implements LastHttpContent {

  private ByteBuf content = Unpooled.EMPTY_BUFFER;

  /** Empty unless something wrote to them; emptied before the end is filled again. */
  private final HttpHeaders trailers = DeferredTrailers.FACTORY.newHeaders();

  /** This end, holding {@code body} (owned by it from now on) and no trailers. */
  PlainBodyEnd fill(ByteBuf body) {
    content = body;
    if (!trailers.isEmpty()) {
      trailers.clear();
    }
    return this;
  }

  /** Forgets the content, which its reader released: the end is free for the next body. */
  void clear() {
    content = Unpooled.EMPTY_BUFFER;
  }

  @Override
  public HttpHeaders trailingHeaders() {
    return trailers;
  }

  @Override
  public ByteBuf content() {
    return content;
  }

  @Override
  public LastHttpContent copy() {
    return replace(content.copy());
  }

  @Override
  public LastHttpContent duplicate() {
    return replace(content.duplicate());
  }

  @Override
  public LastHttpContent retainedDuplicate() {
    return replace(content.retainedDuplicate());
  }

  @Override
  public LastHttpContent replace(ByteBuf content) {
    DefaultLastHttpContent dup = new DefaultLastHttpContent(content);
    dup.trailingHeaders().setAll(trailers);
    return dup;
  }

  @Override
  public int refCnt() {
    return content.refCnt();
  }

  @Override
  public LastHttpContent retain() {
    content.retain();
    return this;
  }

  @Override
  public LastHttpContent retain(int increment) {
    content.retain(increment);
    return this;
  }

  @Override
  public LastHttpContent touch() {
    content.touch();
    return this;
  }

  @Override
  public LastHttpContent touch(Object hint) {
    content.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return content.release();
  }

  @Override
  public boolean release(int decrement) {
    return content.release(decrement);
  }

  @Override
  public String toString() {
    return "PlainBodyEnd(" + content.readableBytes() + " bytes)";
  }
}
