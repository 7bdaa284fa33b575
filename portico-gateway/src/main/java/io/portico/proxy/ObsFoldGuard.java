package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.config.LimitsConfig;

/**
 * Reads a connection's raw request bytes ahead of the HTTP codec, for what the codec accepts
 * silently:
 *
 * <ul>
 *   <li><b>Obsolete line folding</b> (RFC 9112 5.2) in a request head. Netty's decoder joins a
 *       header line that starts with a space or tab to the previous field, so a fold cannot be seen
 *       after decoding; an upstream that does not unfold would read a different header than the
 *       gateway routed and checked. Such a request is refused with 400, as is a line starting with
 *       white space before a request line (RFC 9112 2.2 allows refusing it).
 *   <li><b>Chunk extensions and folded trailers</b> in a chunked body, which the codec skips or
 *       joins: a {@link ChunkedBodyMeter} follows the body's framing and counts them against {@code
 *       limits.max-chunk-extensions} and {@code limits.max-chunk-extensions-size}; a body over
 *       either, or with a folded trailer field, is refused with 400.
 * </ul>
 *
 * <pre>
 *   bytes ─▶ {@link #scanner()} ─▶ HTTP codec ─▶ {@link #tracker()} ─▶ DownstreamHandler
 *              │ in a head: splits after an LF followed     │ head / last content: where the
 *              │ by SP/HT, and after the head's blank line  │ codec is; fails the next head after
 *              │ in a chunked body: meters it               │ a fold, the next content after a
 *              └ then asks the tracker where the codec is ◀─┘ metered violation
 * </pre>
 *
 * <p>The codec decodes synchronously, so after the scanner passes the bytes up to such a line
 * break, the tracker knows whether the codec is in a head (after a request's last content, or
 * before the first request) or in a body. Body bytes of a known length pass without scanning. A
 * read that needs no split is passed on as it is, not as a slice, and the scanner tells the
 * connection's {@link DownstreamHandler} of every read (its header deadline starts at a request's
 * first byte). A line break split across two reads is followed across them.
 *
 * <p>Both handlers belong to one HTTP/1.1 connection and run on its event loop. The scanner removes
 * itself when the connection switches to HTTP/2 or is upgraded.
 */
final class ObsFoldGuard {

  private final Scanner scanner = new Scanner();
  private final Tracker tracker = new Tracker();
  private final ChunkedBodyMeter meter;
  private final DownstreamHandler connection;

  // what the codec is decoding, as the tracker saw it
  private boolean inHead = true;
  private long bodyRemaining;
  private boolean chunked;
  private boolean foldSeen;
  private boolean violationReported;

  // a line break in a head that the last read ended in the middle of
  private boolean pendingLf;
  private boolean pendingLfCr;

  /**
   * @param connection told of every read, so that its header deadline starts at a request's first
   *     byte rather than when the head is complete
   */
  ObsFoldGuard(LimitsConfig limits, DownstreamHandler connection) {
    this.connection = connection;
    this.meter = new ChunkedBodyMeter(limits.maxChunkExtensions(), limits.maxChunkExtensionsSize());
  }

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

  /** Raised as the decoder failure of a chunked body the {@link ChunkedBodyMeter} refused. */
  static final class ChunkedBodyException extends IllegalArgumentException {
    ChunkedBodyException(String why) {
      super(why);
    }
  }

  private final class Scanner extends ChannelInboundHandlerAdapter {

    /**
     * Passes {@code msg} on in as few pieces as the scan allows. A read that needs no split (the
     * common case: a whole head, a whole body, or a head and its body of known length) goes up as
     * it is, without a slice.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      connection.onBytes();
      if (!(msg instanceof ByteBuf in)) {
        ctx.fireChannelRead(msg);
        return;
      }
      boolean passedOn = false;
      try {
        while (in.isReadable() && !ctx.isRemoved()) {
          int n;
          boolean afterHeadBreak = false;
          if (!inHead && bodyRemaining > 0) {
            n = (int) Math.min(bodyRemaining, in.readableBytes());
          } else if (!inHead && chunked) {
            int end = meter.feed(in, in.readerIndex(), in.writerIndex());
            n = end < 0 ? in.readableBytes() : end - in.readerIndex();
          } else {
            int split = headBreak(in);
            n = split < 0 ? in.readableBytes() : split + 1 - in.readerIndex();
            afterHeadBreak = split >= 0;
          }
          if (n == in.readableBytes()) {
            // The rest of the read goes up whole: the buffer itself, owned by the codec now.
            passedOn = true;
            ctx.fireChannelRead(in);
            return;
          }
          ctx.fireChannelRead(in.readRetainedSlice(n));
          // Up to a line break in a head: the codec says (through the tracker) where it is now.
          if (afterHeadBreak
              && inHead
              && in.isReadable()
              && isWhiteSpace(in.getByte(in.readerIndex()))) {
            foldSeen = true;
          }
        }
        if (in.isReadable()) {
          passedOn = true;
          ctx.fireChannelRead(in);
        }
      } finally {
        if (!passedOn) {
          in.release();
        }
      }
    }

    /**
     * In a head: the index of the last byte to pass before asking the tracker where the codec is —
     * an LF followed by SP or HT, or the LF of the blank line that ends the head — or -1 to pass
     * everything. A fold that starts this read is recorded at once.
     */
    private int headBreak(ByteBuf in) {
      int from = in.readerIndex();
      int end = in.writerIndex();
      if (pendingLfCr) {
        pendingLfCr = false;
        if (in.getByte(from) == '\n') {
          return from;
        }
      } else if (pendingLf) {
        pendingLf = false;
        byte first = in.getByte(from);
        if (isWhiteSpace(first)) {
          foldSeen |= inHead;
        } else if (first == '\n') {
          return from;
        } else if (first == '\r') {
          if (from + 1 == end) {
            pendingLfCr = true;
            return -1;
          }
          if (in.getByte(from + 1) == '\n') {
            return from + 1;
          }
        }
      }
      while (from < end) {
        int lf = in.indexOf(from, end, (byte) '\n');
        if (lf < 0) {
          return -1;
        }
        if (lf + 1 == end) {
          pendingLf = true;
          return -1;
        }
        byte next = in.getByte(lf + 1);
        if (isWhiteSpace(next)) {
          return lf;
        } else if (next == '\n') {
          return lf + 1;
        } else if (next == '\r') {
          if (lf + 2 == end) {
            pendingLfCr = true;
            return -1;
          }
          if (in.getByte(lf + 2) == '\n') {
            return lf + 2;
          }
        }
        from = lf + 1;
      }
      return -1;
    }
  }

  private static boolean isWhiteSpace(byte b) {
    return b == ' ' || b == '\t';
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
        pendingLf = false;
        pendingLfCr = false;
        boolean failed = request.decoderResult().isFailure();
        chunked = !failed && HttpUtil.isTransferEncodingChunked(request);
        bodyRemaining = failed || chunked ? 0 : Math.max(0, HttpUtil.getContentLength(request, 0L));
        if (chunked) {
          meter.reset();
          violationReported = false;
        }
      }
      if (msg instanceof HttpContent content) {
        if (chunked && !violationReported && meter.violation() != null) {
          violationReported = true;
          String why = meter.violation();
          boolean last = content instanceof LastHttpContent;
          content.release();
          msg = refused(why, last);
        }
        if (bodyRemaining > 0) {
          bodyRemaining = Math.max(0, bodyRemaining - content.content().readableBytes());
        }
        if (msg instanceof LastHttpContent) {
          inHead = true;
          chunked = false;
          bodyRemaining = 0;
        }
      }
      ctx.fireChannelRead(msg);
    }

    /**
     * A content in place of the one the meter refused, of the same kind; the exchange answers 400.
     */
    private HttpContent refused(String why, boolean last) {
      HttpContent failed =
          last
              ? new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER)
              : new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
      failed.setDecoderResult(DecoderResult.failure(new ChunkedBodyException(why)));
      return failed;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
          || evt == H2cPriorKnowledge.PRIOR_KNOWLEDGE) {
        stop(ctx);
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
