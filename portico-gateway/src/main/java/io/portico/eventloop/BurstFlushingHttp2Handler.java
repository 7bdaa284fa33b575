package io.portico.eventloop;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway's two HTTP/2 connection handlers share, the client side's ({@code
 * proxy.Http2ClientConnection}) and the upstream side's ({@code upstream.h2.H2Connection}): streams
 * as plain objects on one {@link Http2ConnectionHandler}, their writes flushed in batches, and
 * their windows returned as their readers take the data.
 *
 * <p>Flushes: what the streams write is flushed at most once per read burst of the connection
 * (after every stream read in it had its {@link PlainStream#onReadComplete}) or once per event-loop
 * turn (one task), whichever comes first, so the frames of every call answered in one turn share
 * one socket write. A reset first flushes what its stream had written and waits for, so the peer
 * sees the stream's frames before its end. What a stream defers to the end of the turn (a request
 * head held for the rest of its request, {@link #beforeTurnFlush}) runs just before that flush,
 * with no task of its own.
 *
 * <p>Deadlines: the streams' deadlines share one scheduled task ({@link #deadlines()}).
 *
 * <p>Confined to its event loop; {@link #ctx} is set when the handler is added.
 *
 * @param <S> the stream type told when a read burst that read it ends
 */
public abstract class BurstFlushingHttp2Handler<S extends BurstFlushingHttp2Handler.PlainStream>
    extends Http2ConnectionHandler {

  private static final Logger log = LoggerFactory.getLogger(BurstFlushingHttp2Handler.class);

  /** A stream as a plain object of its connection, told what happens to it. */
  public interface PlainStream {
    /** The read burst it was read in ended: pass on what was read (flush the other side). */
    void onReadComplete();

    /** Its send window or the connection's writability changed. */
    void onWritabilityChanged();

    /** Netty closed the stream (both ends, a reset, or the connection's close). */
    void onClosed();
  }

  private final Http2Connection.PropertyKey key;
  private final ArrayList<S> readers = new ArrayList<>(8);
  private final ArrayList<Runnable> beforeFlush = new ArrayList<>(8);
  private final Runnable flushTask = this::flushFromTask;

  /** This handler's context, set when it is added to the pipeline. */
  @SuppressWarnings("NullAway.Init")
  protected ChannelHandlerContext ctx;

  private @Nullable StreamDeadlines deadlines;

  private boolean reading;
  private boolean flushPending;
  private boolean flushScheduled;

  protected BurstFlushingHttp2Handler(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings initialSettings) {
    super(decoder, encoder, initialSettings);
    this.key = connection().newKey();
    StreamEvents events = new StreamEvents();
    connection().addListener(events);
    encoder.flowController().listener(events);
  }

  /**
   * A connection whose send window is shared among its streams evenly, for a handler's builder:
   * priorities mean nothing between a gateway and its peers (RFC 9113 deprecates them), and Netty's
   * default weighted-fair distributor keeps a priority-tree node per stream (88 bytes) and updates
   * that tree on every stream's open and close.
   */
  public static Http2Connection uniformlyDistributed(boolean server) {
    DefaultHttp2Connection connection = new DefaultHttp2Connection(server);
    connection
        .remote()
        .flowController(
            new DefaultHttp2RemoteFlowController(
                connection, new UniformStreamByteDistributor(connection)));
    return connection;
  }

  /** Makes {@code s} the object of {@code stream}: it is told of the stream's events from now. */
  protected final void attach(Http2Stream stream, S s) {
    stream.setProperty(key, s);
  }

  /** The object of {@code stream}; null when none is attached (or it was closed). */
  protected final @Nullable S streamOf(@Nullable Http2Stream stream) {
    return stream == null ? null : stream.getProperty(key);
  }

  /** The object of the stream with id {@code streamId}; null when it is not open or has none. */
  protected final @Nullable S stream(int streamId) {
    return streamOf(connection().stream(streamId));
  }

  /** Resets {@code stream} ({@code RST_STREAM}), what it had written and waits for going first. */
  public void reset(Http2Stream stream, Http2Error error) {
    if (flushPending && encoder().flowController().hasFlowControlled(stream)) {
      flushNow();
    }
    resetStream(ctx, stream.id(), error.code(), ctx.voidPromise());
    flushSoon();
  }

  /** Returns {@code bytes} of {@code stream}'s receive window: its reader took them. */
  public void consume(Http2Stream stream, int bytes) {
    try {
      if (decoder().flowController().consumeBytes(stream, bytes)) {
        flushSoon();
      }
    } catch (Http2Exception e) {
      onError(ctx, false, e);
    }
  }

  /** Whether {@code stream} may write now (its send window and the connection's writability). */
  public boolean isWritable(Http2Stream stream) {
    return encoder().flowController().isWritable(stream);
  }

  /**
   * Flushes what the streams wrote: after this connection's read burst when one is under way, else
   * once at the end of the event loop's turn.
   */
  public void flushSoon() {
    flushPending = true;
    if (reading || flushScheduled) {
      return;
    }
    flushScheduled = true;
    try {
      ctx.executor().execute(flushTask);
    } catch (RejectedExecutionException shuttingDown) {
      flushScheduled = false;
      flushNow();
    }
  }

  /**
   * Runs {@code work} before the flush that ends this read burst or event-loop turn, whichever
   * comes first (the turn's flush task is scheduled if none is): what a stream defers to the end of
   * the turn joins the connection's one flush and costs no task of its own. Work added while the
   * works run runs in the same pass.
   */
  public void beforeTurnFlush(Runnable work) {
    beforeFlush.add(work);
    flushSoon();
  }

  /** {@code stream} had a read in this burst: it is told when the burst ends. */
  public void readBy(S stream) {
    readers.add(stream);
  }

  /** Whether this connection's read burst is under way. */
  public boolean reading() {
    return reading;
  }

  /**
   * The deadlines of this connection's streams, on one scheduled task; made when the handler was
   * added, cancelled when the connection closes.
   */
  public StreamDeadlines deadlines() {
    StreamDeadlines d = deadlines;
    if (d == null) {
      d = new StreamDeadlines(ctx.channel().eventLoop());
      deadlines = d;
    }
    return d;
  }

  /** Flushes now what the streams wrote. */
  protected void flushNow() {
    flushPending = false;
    flush(ctx);
  }

  private void flushFromTask() {
    // Still scheduled while the works run: the flushes they ask for join this one.
    runBeforeFlush();
    flushScheduled = false;
    if (flushPending && !ctx.isRemoved()) {
      flushNow();
    }
  }

  private void runBeforeFlush() {
    ArrayList<Runnable> works = beforeFlush;
    if (works.isEmpty()) {
      return;
    }
    for (int i = 0; i < works.size(); i++) {
      try {
        works.get(i).run();
      } catch (RuntimeException e) {
        // As a failed task of the event loop would be: logged, the others still run.
        log.warn("work before the flush of {} failed", ctx.channel(), e);
      }
    }
    works.clear();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    super.handlerAdded(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    reading = true;
    super.channelRead(ctx, msg);
  }

  /**
   * The read burst ended: every stream read in it tells its reader (which flushes the other side),
   * then the handler flushes this connection once, window updates and the streams' writes together.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    // Still reading while the works run: the flushes they ask for join this burst's.
    runBeforeFlush();
    reading = false;
    for (int i = 0; i < readers.size(); i++) {
      readers.get(i).onReadComplete();
    }
    readers.clear();
    flushPending = false;
    super.channelReadComplete(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    reading = false;
    try {
      super.channelInactive(ctx);
    } finally {
      if (deadlines != null) {
        deadlines.cancel();
      }
      // Deferred work finds the connection gone and tells its call.
      runBeforeFlush();
    }
  }

  /** Netty's stream events, handed to the streams' objects. */
  private final class StreamEvents extends Http2ConnectionAdapter
      implements Http2RemoteFlowController.Listener {

    @Override
    public void onStreamClosed(Http2Stream stream) {
      S s = stream.removeProperty(key);
      if (s != null) {
        s.onClosed();
      }
    }

    @Override
    public void writabilityChanged(Http2Stream stream) {
      S s = stream.getProperty(key);
      if (s != null) {
        s.onWritabilityChanged();
      }
    }
  }
}
