package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request head seen as a complete, body-less request: what an {@link UpstreamConnection} writes
 * for a request without a body, so that the encoder makes its head and end in one pass and one
 * outbound buffer, where the head and {@code LastHttpContent.EMPTY_LAST_CONTENT} written apart made
 * two passes through the pipeline and two entries of the channel's outbound buffer. The bytes are
 * the same: a head whose framing says chunked still ends with the empty last chunk.
 *
 * <p>A view, not a copy: method, target, version, headers, {@link EncodedFields} and decoder result
 * are the head's, and a change made through the view changes the head. Its content is the shared
 * empty buffer and it has no trailers, so releasing it frees nothing.
 *
 * <p>Ownership: one instance per connection, on its event loop. {@link #wrap} points it at a head
 * for one write, which the encoder completes before the write returns (the write is made on the
 * event loop, so the pipeline runs inline); {@link #clear} then drops the head, so that the view
 * keeps no exchange's head alive. {@link #copy}, {@link #duplicate} and {@link #replace} return
 * requests of their own.
 */
final class BodylessRequest implements FullHttpRequest, EncodedFields {

  private @Nullable HttpRequest head;

  /** Points the view at {@code request} for one write. */
  BodylessRequest wrap(HttpRequest request) {
    this.head = request;
    return this;
  }

  /** Drops the head after its write. */
  void clear() {
    head = null;
  }

  private HttpRequest head() {
    return Objects.requireNonNull(head, "the view wraps a head during a write only");
  }

  @Override
  public int encodedFieldsLength() {
    return head() instanceof EncodedFields encoded ? encoded.encodedFieldsLength() : 0;
  }

  @Override
  public int encodeFields(byte[] s, int p) {
    return head() instanceof EncodedFields encoded ? encoded.encodeFields(s, p) : p;
  }

  @Override
  public ByteBuf content() {
    return Unpooled.EMPTY_BUFFER;
  }

  @Override
  public HttpHeaders trailingHeaders() {
    return EmptyHttpHeaders.INSTANCE;
  }

  @Override
  public HttpMethod method() {
    return head().method();
  }

  @Override
  @Deprecated
  public HttpMethod getMethod() {
    return method();
  }

  @Override
  public String uri() {
    return head().uri();
  }

  @Override
  @Deprecated
  public String getUri() {
    return uri();
  }

  @Override
  public HttpVersion protocolVersion() {
    return head().protocolVersion();
  }

  @Override
  @Deprecated
  public HttpVersion getProtocolVersion() {
    return protocolVersion();
  }

  @Override
  public HttpHeaders headers() {
    return head().headers();
  }

  @Override
  public DecoderResult decoderResult() {
    return head().decoderResult();
  }

  @Override
  @Deprecated
  public DecoderResult getDecoderResult() {
    return decoderResult();
  }

  @Override
  public void setDecoderResult(DecoderResult result) {
    head().setDecoderResult(result);
  }

  @Override
  public FullHttpRequest setProtocolVersion(HttpVersion version) {
    head().setProtocolVersion(version);
    return this;
  }

  @Override
  public FullHttpRequest setMethod(HttpMethod method) {
    head().setMethod(method);
    return this;
  }

  @Override
  public FullHttpRequest setUri(String uri) {
    head().setUri(uri);
    return this;
  }

  @Override
  public FullHttpRequest copy() {
    return replace(Unpooled.EMPTY_BUFFER);
  }

  @Override
  public FullHttpRequest duplicate() {
    return copy();
  }

  @Override
  public FullHttpRequest retainedDuplicate() {
    return copy();
  }

  @Override
  public FullHttpRequest replace(ByteBuf content) {
    HttpRequest h = head();
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(
            h.protocolVersion(),
            h.method(),
            h.uri(),
            content,
            h.headers().copy(),
            EmptyHttpHeaders.INSTANCE);
    request.setDecoderResult(h.decoderResult());
    return request;
  }

  // The shared empty content is not counted: the view is never freed, only cleared.

  @Override
  public int refCnt() {
    return 1;
  }

  @Override
  public FullHttpRequest retain() {
    return this;
  }

  @Override
  public FullHttpRequest retain(int increment) {
    return this;
  }

  @Override
  public FullHttpRequest touch() {
    return this;
  }

  @Override
  public FullHttpRequest touch(Object hint) {
    return this;
  }

  @Override
  public boolean release() {
    return false;
  }

  @Override
  public boolean release(int decrement) {
    return false;
  }

  @Override
  public String toString() {
    HttpRequest h = head;
    return "BodylessRequest(" + (h == null ? "cleared" : h.method() + " " + h.uri()) + ")";
  }
}
