package io.portico.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Answers a connection's pipelined requests in the order they came (RFC 9112, section 9.3.2): a
 * request goes on to the handlers behind only once every earlier request on the connection has its
 * whole answer written. The handlers answer some requests at once on the event loop ({@code
 * /ready}, refusals) and others later from the admin thread; without this, a fast answer could
 * overtake a slow one, and a client would read one request's answer as another's.
 *
 * <pre>
 *   HTTP codec -> AdminPipelining -> AdminRequestIds -> aggregator -> AdminHandler
 *                 (holds request 2   (ids in order)
 *                  until answer 1
 *                  is written)
 * </pre>
 *
 * The body of the request being answered passes through (the aggregator may answer {@code 100
 * Continue} for it); what comes after it is held, and reading from the socket stops until the held
 * requests have gone on, so a connection holds at most one read's worth. An answer is whole at the
 * last content of a final (not 1xx) response; an answer that closes the connection ({@code
 * Connection: close}) drops what is held, which the client must send again on a new connection.
 *
 * <p>One per connection, on its event loop.
 */
final class AdminPipelining extends ChannelDuplexHandler {

  /** Inbound messages of requests that wait for the answer before them. */
  private final ArrayDeque<Object> held = new ArrayDeque<>(4);

  /** A request has gone on and its answer is not yet wholly written. */
  private boolean unanswered;

  /** The answer being written is a final one (not 1xx); its last content completes it. */
  private boolean answering;

  /** The answer being written closes the connection: nothing held goes on. */
  private boolean closing;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!held.isEmpty() || (unanswered && msg instanceof HttpRequest)) {
      held.addLast(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    pass(ctx, msg);
  }

  private void pass(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      unanswered = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      answering = true;
      closing |= !HttpUtil.isKeepAlive(response);
    }
    boolean answered = answering && msg instanceof LastHttpContent;
    ctx.write(msg, promise);
    if (answered) {
      answering = false;
      unanswered = false;
      if (closing) {
        releaseHeld();
      } else if (!held.isEmpty()) {
        // not from inside the write: the handler that wrote may not be done with its request
        ctx.executor().execute(() -> next(ctx));
      }
    }
  }

  /** Passes on the held messages up to the next request that must wait. */
  private void next(ChannelHandlerContext ctx) {
    while (!held.isEmpty() && !closing && ctx.channel().isActive()) {
      if (unanswered && held.peekFirst() instanceof HttpRequest) {
        return;
      }
      pass(ctx, held.pollFirst());
    }
    if (held.isEmpty() && !closing) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void releaseHeld() {
    Object msg;
    while ((msg = held.pollFirst()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseHeld();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }
}
