package io.portico.eventloop;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Turns the flushes an HTTP/2 connection's streams ask for into at most one socket flush per read
 * burst of the connection or per event-loop turn, whichever comes first. It sits right after the
 * connection's {@code Http2FrameCodec}, so every flush of a stream channel (and of the handlers
 * after it) passes through it, while the codec's own flushes (SETTINGS and PING acks, the
 * connection's {@code WINDOW_UPDATE}s, GOAWAY) do not:
 *
 * <pre>
 *   socket ─▶ [TLS] ─▶ Http2FrameCodec ─▶ BurstFlush ─▶ Http2MultiplexHandler ─▶ connection handler
 *                                             ▲                 │
 *                                             └── flush ─── stream channels
 * </pre>
 *
 * <p>A proxied stream is written from the <em>other</em> connection's read: a request while the
 * client's connection is read, its answer while the upstream's is. Netty's multiplexer batches only
 * the flushes made during its own connection's read, so without this handler every stream write is
 * a {@code writev} of its own. Here a flush is only remembered:
 *
 * <ul>
 *   <li>during the connection's own read, the one flush happens when the read completes, after the
 *       streams have had their own read-complete (and before the codec's own flush);
 *   <li>otherwise one task on the connection's event loop flushes; the loop runs its tasks after
 *       the I/O of the turn, so the writes of every call whose frames arrived in that turn, on any
 *       connection, share one {@code writev}.
 * </ul>
 *
 * <p>No write is left unflushed: the first flush remembered always schedules the task, even during
 * the connection's own read, so that nothing depends on the read completing; the read's completion,
 * the task or a close, whichever comes first, does the flush, and the others find nothing left. A
 * loop that refuses tasks (shutting down) gets the flush at once. Writes are neither reordered nor
 * held back from the codec, so HTTP/2 flow control and the streams' writability work as without the
 * handler; a stream's write promise completes when its frame leaves with the batch.
 *
 * <p>One per connection, confined to its event loop.
 */
public final class BurstFlush extends ChannelDuplexHandler {

  private final Runnable flushTask = this::flushFromTask;
  private final Predicate<Http2FrameStream> waitingData;
  private @Nullable ChannelHandlerContext ctx;
  private boolean pending;
  private boolean scheduled;

  /**
   * @param waitingData whether a stream has DATA (or trailers behind DATA) waiting in the codec for
   *     a flush
   */
  BurstFlush(Predicate<Http2FrameStream> waitingData) {
    this.waitingData = waitingData;
  }

  /** The handler to put right after {@code codec}, the connection's HTTP/2 codec. */
  public static BurstFlush after(Http2ConnectionHandler codec) {
    return new BurstFlush(
        frameStream -> {
          Http2Stream stream = codec.connection().stream(frameStream.id());
          return stream != null && codec.encoder().flowController().hasFlowControlled(stream);
        });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    try {
      ctx.fireChannelReadComplete();
    } finally {
      flushPending(ctx);
    }
  }

  /**
   * A stream's RST_STREAM whose stream still has DATA waiting in the codec lets what was remembered
   * go out first: the codec writes a reset at once but DATA only when flushed, so the stream's last
   * DATA, written and flushed before the reset, would otherwise follow the reset on the wire. A
   * reset with nothing waiting is written as it comes: flushing then would complete a reset just
   * written for the same stream and make the stream's closing write a second one.
   */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (pending && msg instanceof Http2ResetFrame reset) {
      Http2FrameStream stream = reset.stream();
      if (stream != null && waitingData.test(stream)) {
        flushPending(ctx);
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    pending = true;
    if (scheduled) {
      return;
    }
    scheduled = true;
    try {
      ctx.executor().execute(flushTask);
    } catch (RejectedExecutionException shuttingDown) {
      scheduled = false;
      flushPending(ctx);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushPending(ctx);
    ctx.close(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    flushPending(ctx);
  }

  private void flushFromTask() {
    scheduled = false;
    ChannelHandlerContext c = ctx;
    if (c != null && !c.isRemoved()) {
      flushPending(c);
    }
  }

  private void flushPending(ChannelHandlerContext ctx) {
    if (pending) {
      pending = false;
      ctx.flush();
    }
  }
}
