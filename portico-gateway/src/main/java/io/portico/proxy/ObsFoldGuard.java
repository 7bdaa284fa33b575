package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;

/**
 * Refuses obsolete line folding (RFC 9112 5.2) in request heads. Netty's decoder silently joins a
 * header line that starts with a space or tab to the previous field, so a fold cannot be seen after
 * decoding; an upstream that does not unfold would read a different header than the gateway routed
 * and checked. A request whose head folds a line is therefore refused with 400.
 *
 * <pre>
 *   bytes ─▶ {@link #scanner()} ─▶ HTTP codec ─▶ {@link #tracker()} ─▶ DownstreamHandler
 *              │ splits after each LF followed by SP/HT        │ head / last content: where the
 *              │ and asks the tracker whether the codec        │ codec is; marks the next head
 *              └ is inside a head ◀────────────────────────────┘ failed when a fold was seen
 * </pre>
 *
 * <p>The codec decodes synchronously, so after the scanner passes the bytes up to such a line
 * break, the tracker knows whether the codec is in a head (after a request's last content, or
 * before the first request) or in a body. Body bytes of a known length pass without scanning; a
 * chunked body is scanned, and split only where a line starts with white space. A line starting
 * with white space before a request line is refused as well (RFC 9112 2.2 allows refusing it).
 *
 * <p>Both handlers belong to one HTTP/1.1 connection and run on its event loop. The scanner removes
 * itself when the connection switches to HTTP/2 or is upgraded.
 */
final class ObsFoldGuard {

  private final Scanner scanner = new Scanner();
  private final Tracker tracker = new Tracker();

  // what the codec is decoding, as the tracker saw it
  private boolean inHead = true;
  private long bodyRemaining;
  private boolean foldSeen;

  ChannelInboundHandlerAdapter scanner() {
    return scanner;
  }

  ChannelInboundHandlerAdapter tracker() {
    return tracker;
  }

  /** Removes the scanner: the connection no longer speaks HTTP/1.1 requests. */
  void stop(ChannelHandlerContext ctx) {
    if (ctx.pipeline().context(scanner) != null) {
      ctx.pipeline().remove(scanner);
    }
  }

  /** Raised as the decoder failure of a head that folded a line. */
  static final class ObsFoldException extends IllegalArgumentException {
    ObsFoldException() {
      super("obsolete line folding in the request head (expected: one line per header field)");
    }
  }

  private final class Scanner extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf in)) {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        while (in.isReadable() && ctx.pipeline().context(this) != null) {
          if (!inHead && bodyRemaining > 0) {
            int n = (int) Math.min(bodyRemaining, in.readableBytes());
            ctx.fireChannelRead(in.readRetainedSlice(n));
            continue;
          }
          int fold = foldingBreak(in);
          if (fold < 0) {
            ctx.fireChannelRead(in.readRetainedSlice(in.readableBytes()));
            break;
          }
          // Pass up to and including the line break, then ask where the codec is.
          ctx.fireChannelRead(in.readRetainedSlice(fold + 1 - in.readerIndex()));
          if (inHead) {
            foldSeen = true;
          }
        }
        if (in.isReadable()) {
          ctx.fireChannelRead(in.readRetainedSlice(in.readableBytes()));
        }
      } finally {
        in.release();
      }
    }

    /** The index of the first LF followed by SP or HT, or -1. */
    private int foldingBreak(ByteBuf in) {
      int from = in.readerIndex();
      int end = in.writerIndex();
      while (from < end - 1) {
        int lf = in.indexOf(from, end - 1, (byte) '\n');
        if (lf < 0) {
          return -1;
        }
        byte next = in.getByte(lf + 1);
        if (next == ' ' || next == '\t') {
          return lf;
        }
        from = lf + 1;
      }
      return -1;
    }
  }

  private final class Tracker extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        if (foldSeen && request.decoderResult().isSuccess()) {
          request.setDecoderResult(DecoderResult.failure(new ObsFoldException()));
        }
        foldSeen = false;
        inHead = false;
        bodyRemaining =
            request.decoderResult().isFailure() || HttpUtil.isTransferEncodingChunked(request)
                ? 0
                : Math.max(0, HttpUtil.getContentLength(request, 0L));
      }
      if (msg instanceof HttpContent content) {
        if (bodyRemaining > 0) {
          bodyRemaining = Math.max(0, bodyRemaining - content.content().readableBytes());
        }
        if (msg instanceof LastHttpContent) {
          inHead = true;
          bodyRemaining = 0;
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
          || evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent) {
        stop(ctx);
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
