package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.portico.eventloop.DeadlineTimer;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection to an upstream endpoint: the last handler of its pipeline and the unit
 * the {@link ConnectionPool} leases.
 *
 * <p>Lifecycle: created connected by the pool, leased to one exchange at a time ({@link
 * #lease(UpstreamListener)}), then either returned for reuse ({@link #release(boolean)} with {@code
 * reusable}) or closed. While idle in the pool, anything the upstream sends (data or a close) makes
 * the connection unusable, so a connection the upstream closed is never leased.
 *
 * <p>Confined to its event loop.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter
    implements UpstreamLease {

  private final ConnectionPool pool;
  private final BodylessRequest bodyless = new BodylessRequest();
  private Channel channel;
  private DeadlineTimer timer;
  private @Nullable UpstreamListener listener;
  private boolean upgraded;
  private long idleSince;
  private int uses;

  UpstreamConnection(ConnectionPool pool) {
    this.pool = pool;
  }

  /** The connection's channel (an upgraded connection's relay writes raw bytes to it). */
  public Channel channel() {
    return channel;
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public void write(HttpObject message) {
    channel.write(message, channel.voidPromise());
  }

  /**
   * Writes {@code head} as a complete request without a body: head and end in one pass through the
   * codec and one outbound buffer, through the connection's {@link BodylessRequest} view, which the
   * encoder is done with when the write returns. Off the event loop (where the write would be
   * queued and the view reused before it ran), the head and the shared empty end go apart.
   */
  void writeBodyless(HttpRequest head) {
    if (!channel.eventLoop().inEventLoop()) {
      write(head);
      write(LastHttpContent.EMPTY_LAST_CONTENT);
      return;
    }
    try {
      channel.write(bodyless.wrap(head), channel.voidPromise());
    } finally {
      bodyless.clear();
    }
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void readResponse(boolean read) {
    channel.config().setAutoRead(read);
  }

  @Override
  public Endpoint endpoint() {
    return pool.endpoint();
  }

  /** Whether this connection served a request before the current one. */
  @Override
  public boolean reused() {
    return uses > 1;
  }

  long idleSince() {
    return idleSince;
  }

  void lease(UpstreamListener l) {
    this.listener = l;
    uses++;
  }

  /**
   * Passes the lease to another listener, which then gets every later event (an upgraded
   * connection's relay takes over from the call that made the upgrade).
   */
  public void handOver(UpstreamListener l) {
    this.listener = l;
  }

  /** The connection's clock (its event loop's ticker), for deadlines. */
  @Override
  public long nanoTime() {
    return timer.now();
  }

  /**
   * Arms the lease's deadline: at {@code nanoTime} the listener's {@link
   * UpstreamListener#onDeadline} runs. One timer per connection, moved by writing a field, so a
   * deadline per request costs no scheduled task. Ended by {@link #disarmDeadline} and by the end
   * of the lease.
   */
  @Override
  public void armDeadline(long nanoTime) {
    timer.armAt(nanoTime);
  }

  @Override
  public void disarmDeadline() {
    timer.disarm();
  }

  /**
   * Ends the lease. A reusable connection (complete response, complete request, keep-alive on both
   * sides) goes back to the pool; any other is closed.
   */
  @Override
  public void release(boolean reusable) {
    listener = null;
    timer.disarm();
    if (upgraded || !reusable || !channel.isActive() || hasUnreadBytes()) {
      channel.close();
      pool.onClosedOrDiscarded(this);
      return;
    }
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    idleSince = System.nanoTime();
    pool.offer(this);
  }

  /**
   * Whether the upstream sent bytes beyond the complete response (a body after a response to HEAD,
   * more than its Content-Length): they would be read as the next request's response.
   */
  private boolean hasUnreadBytes() {
    UpstreamCodec codec = channel.pipeline().get(UpstreamCodec.class);
    return codec != null && codec.unreadBytes() > 0;
  }

  /**
   * Switches the connection to raw bytes after a 101 response: the HTTP codec is removed and every
   * later read goes to {@link UpstreamListener#onUpgradedData}. The connection will not be pooled
   * again.
   */
  public void upgrade() {
    upgraded = true;
    UpstreamCodec codec = channel.pipeline().get(UpstreamCodec.class);
    if (codec != null) {
      channel.pipeline().remove(codec);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    timer = new DeadlineTimer(channel.eventLoop(), this::onDeadline);
  }

  private void onDeadline() {
    UpstreamListener l = listener;
    if (l != null) {
      l.onDeadline();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener l = listener;
    if (l == null) {
      // Data on an idle connection: the upstream is out of step. Never reuse it.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse response) {
      l.onResponseHead(response);
      if (msg instanceof HttpContent content && listener != null) {
        l.onResponseContent(content);
      }
    } else if (msg instanceof HttpContent content) {
      l.onResponseContent(content);
    } else if (msg instanceof ByteBuf data) {
      l.onUpgradedData(data);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.cancel();
    UpstreamListener l = listener;
    listener = null;
    pool.onClosedOrDiscarded(this);
    if (l != null) {
      l.onUpstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamListener l = listener;
    listener = null;
    ctx.close();
    pool.onClosedOrDiscarded(this);
    if (l != null) {
      l.onUpstreamClosed(cause);
    }
  }
}
