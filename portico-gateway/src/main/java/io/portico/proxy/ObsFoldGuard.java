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
 *   bytes ─▶ {@link #scanner()} ─▶ {@link ClientCodec} ─────────────────────▶ DownstreamHandler
 *              │ in a head: splits after an LF followed   │ tells the guard of each head (with
 *              │ by SP/HT, and after the head's blank line│ its framing) and content it decoded:
 *              │ in a chunked body: meters it             │ fails a head after a fold, a content
 *              └ then knows where the codec is ◀──────────┘ after a metered violation
 * </pre>
 *
 * <p>The codec decodes synchronously and tells the guard of what it decoded by a method call
 * ({@link #headDecoded}, {@link #contentDecoded}) before passing it on, so after the scanner passes
 * the bytes up to such a line break, the guard knows whether the codec is in a head (after a
 * request's last content, or before the first request) or in a body. Body bytes of a known length
 * pass without scanning. A read that needs no split is passed on as it is, not as a slice, and the
 * scanner tells the connection's {@link DownstreamHandler} of every read (its header deadline
 * starts at a request's first byte). A line break split across two reads is followed across them.
 *
 * <p>The guard and its scanner belong to one HTTP/1.1 connection and run on its event loop. The
 * codec removes the scanner when it is upgraded away ({@link ClientCodec#upgradeFrom}: h2c, by
 * {@code Upgrade} or by prior knowledge); an upgrade to a relay removes both.
 */
final class ObsFoldGuard {

  private final Scanner scanner = new Scanner();
  private final ChunkedBodyMeter meter;
  private final DownstreamHandler connection;

  // what the codec is decoding, as it told the guard
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
          // Up to a line break in a head: the codec told the guard where it is now.
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
     * In a head: the index of the last byte to pass before looking where the codec is — an LF
     * followed by SP or HT, or the LF of the blank line that ends the head — or -1 to pass
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

  /**
   * The codec decoded a request head framed by {@code chunked} or {@code contentLength} (0 when it
   * has neither). A head after a fold becomes a failed one; the scanner now passes the body.
   */
  void headDecoded(HttpRequest request, boolean chunked, long contentLength) {
    if (foldSeen && request.decoderResult().isSuccess()) {
      request.setDecoderResult(DecoderResult.failure(new ObsFoldException()));
    }
    foldSeen = false;
    inHead = false;
    pendingLf = false;
    pendingLfCr = false;
    boolean failed = request.decoderResult().isFailure();
    this.chunked = !failed && chunked;
    bodyRemaining = failed || chunked ? 0 : Math.max(0, contentLength);
    if (this.chunked) {
      meter.reset();
      violationReported = false;
    }
  }

  /**
   * A head decoded by Netty's decoder, whose framing the codec does not keep: read from its fields.
   */
  void headDecoded(HttpRequest request) {
    boolean failed = request.decoderResult().isFailure();
    boolean chunked = !failed && HttpUtil.isTransferEncodingChunked(request);
    headDecoded(request, chunked, failed || chunked ? 0 : HttpUtil.getContentLength(request, 0L));
  }

  /**
   * The codec decoded a content: the message to pass on in its place, a failed content of the same
   * kind (the exchange answers 400) when the meter refused the chunked body it belongs to, else
   * {@code content} itself. After a last content the scanner is in a head again.
   */
  HttpContent contentDecoded(HttpContent content) {
    HttpContent msg = content;
    if (chunked && !violationReported && meter.violation() != null) {
      violationReported = true;
      String why = meter.violation();
      boolean last = content instanceof LastHttpContent;
      content.release();
      msg = refused(why, last);
    }
    if (bodyRemaining > 0) {
      bodyRemaining = Math.max(0, bodyRemaining - msg.content().readableBytes());
    }
    if (msg instanceof LastHttpContent) {
      inHead = true;
      chunked = false;
      bodyRemaining = 0;
    }
    return msg;
  }

  /** A content in place of the one the meter refused, of the same kind. */
  private static HttpContent refused(String why, boolean last) {
    HttpContent failed =
        last
            ? new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER)
            : new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
    failed.setDecoderResult(DecoderResult.failure(new ChunkedBodyException(why)));
    return failed;
  }
}
