package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The request body of one exchange, held in memory because a request plugin asked for it with
 * {@link io.portico.spi.plugin.Exchange#requestBody}. An exchange creates one only then; every
 * other request streams its body.
 *
 * <pre>
 *   append(chunk)... ─▶ end() ─▶ plugins' stages complete with views ─▶ forward() ─▶ upstream write
 *          └───────────────────────────────────────────── discard(): released, stages fail
 * </pre>
 *
 * <p>Ownership: the buffer owns the content of every chunk appended, in one composite buffer, from
 * {@link #append} until {@link #forward} hands it to the upstream write (which releases it) or
 * {@link #discard} releases it. Plugins get views that are read-only and cannot be released, so a
 * plugin can neither change the forwarded body nor free it under the gateway.
 *
 * <p>Confined to the exchange's event loop.
 */
final class RequestBodyBuffer {

  /** Chunks kept before the composite buffer merges them (as Netty's aggregators do). */
  private static final int MAX_COMPONENTS = 1024;

  private final CompositeByteBuf content;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private @Nullable HttpHeaders trailers;
  private long limit;
  private boolean complete;
  private boolean gone;

  RequestBodyBuffer(ByteBufAllocator alloc, long limit) {
    this.content = alloc.compositeBuffer(MAX_COMPONENTS);
    this.limit = limit;
  }

  /** The most bytes the body may have: the smallest limit asked for. */
  long limit() {
    return limit;
  }

  void lowerLimit(long limit) {
    this.limit = Math.min(this.limit, limit);
  }

  /** Bytes held so far. */
  int size() {
    return content.readableBytes();
  }

  /** Whether the body is still being read into memory (neither forwarded nor discarded). */
  boolean reading() {
    return !gone && !complete;
  }

  /** Whether the buffer still holds the body (it was neither forwarded nor discarded). */
  boolean holdsBody() {
    return !gone;
  }

  /** Takes ownership of {@code chunk}'s content; the last chunk's trailers are kept. */
  void append(HttpContent chunk) {
    content.addComponent(true, chunk.content());
    if (chunk instanceof LastHttpContent last) {
      trailers = last.trailingHeaders();
      complete = true;
    }
  }

  /** The last chunk was appended: completes every plugin's stage, on the caller's thread. */
  void end() {
    ended.complete(null);
  }

  /** A stage of the whole body for one caller, with its own view. */
  CompletionStage<ByteBuf> view() {
    if (gone) {
      return CompletableFuture.failedFuture(
          new CancellationException("the request body is no longer held"));
    }
    if (complete) {
      return CompletableFuture.completedFuture(newView());
    }
    CompletableFuture<ByteBuf> stage = new CompletableFuture<>();
    ended.whenComplete(
        (ignored, error) -> {
          if (error != null) {
            stage.completeExceptionally(error);
          } else {
            stage.complete(newView());
          }
        });
    return stage;
  }

  private ByteBuf newView() {
    return Unpooled.unreleasableBuffer(content.asReadOnly());
  }

  /**
   * Hands the body read so far to the upstream write, which then owns it: the last content when the
   * body is complete, else a chunk the rest of the body follows. Stages still waiting fail.
   */
  HttpContent forward() {
    gone = true;
    ended.completeExceptionally(
        new CancellationException("the request was forwarded before its body ended"));
    return complete
        ? new DefaultLastHttpContent(content, trailers)
        : new DefaultHttpContent(content);
  }

  /** Releases the body (the exchange ended without forwarding it); stages still waiting fail. */
  void discard(String why) {
    if (gone) {
      return;
    }
    gone = true;
    content.release();
    ended.completeExceptionally(new CancellationException(why));
  }
}
