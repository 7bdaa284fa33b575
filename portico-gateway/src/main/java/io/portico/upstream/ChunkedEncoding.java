package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The chunked framing of the bodies that Portico's HTTP/1.1 encoders write themselves: the
 * responses going to clients ({@code proxy.ClientCodec}) and the requests going upstream ({@link
 * UpstreamCodec}). The bytes are those of Netty's {@code HttpObjectEncoder}: each content with data
 * as {@code size-in-lower-case-hex CRLF data CRLF}, an empty one as nothing, and the end as {@code
 * 0 CRLF} with the trailer fields, each {@code name: value CRLF}, and {@code CRLF}.
 *
 * <p>What differs is what each chunk costs. Netty's encoder writes a chunk as three pieces: its
 * size line in a pooled buffer, the data, and a duplicate of a shared, unreleasable CRLF buffer
 * (two new objects per chunk), and the end as a duplicate of a shared {@code 0 CRLF CRLF} buffer
 * (two more); each piece is an entry of its own in the channel's outbound buffer, and a write with
 * a promise of its own gets a promise combiner and a promise per piece. Here a chunk of at most
 * {@link #COPIED} bytes is one pooled buffer holding its size line, a copy of its data, its CRLF
 * and, for the last one, the end; a larger one is its size line in a pooled buffer, the data
 * itself, and a pooled buffer with its CRLF and, for the last one, the end. Pooled buffer objects
 * come back to the allocator's per-thread cache when released, so nothing is left to the garbage
 * collector.
 *
 * <p>The encoder decides, for each message head, whether the body that follows is chunked, as
 * Netty's encoder decides it (not always empty, and {@code Transfer-Encoding: chunked}); when it
 * is, it has {@link #encodeHead} write the head, and hands every message up to the body's last
 * content to {@link #encode}. Netty's encoder never sees that message, so it stays between
 * messages.
 *
 * <p>Ownership: one instance per encoder, used on the connection's event loop only; {@link #encode}
 * releases the message it is given.
 */
public final class ChunkedEncoding {

  /** Chunks of up to this many bytes are copied into the buffer of their framing. */
  public static final int COPIED = 256;

  private static final byte[] HEX = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
  };

  private static final int CRLF = ('\r' << 8) | '\n';

  /** {@code 0 CRLF}, the last chunk's size line. */
  private static final int ZERO_CRLF = ('0' << 16) | CRLF;

  /** Netty's weights for the running size of heads and trailers, which sizes their buffers. */
  private static final float WEIGHT_NEW = 1 / 5f;

  private static final float WEIGHT_HISTORICAL = 4 / 5f;

  private boolean inBody;
  private float headSize = 256;
  private float trailersSize = 256;

  /** Lays out trailer fields; made for the first body with trailers. */
  private @Nullable HeadBytes trailerBytes;

  /** Whether a chunked body is being written: every message up to its end is {@link #encode}'s. */
  public boolean inBody() {
    return inBody;
  }

  /**
   * How an encoder writes a message's head into a buffer: its start line and its header fields
   * (after the encoder's own sanitizing), without the blank line.
   */
  @FunctionalInterface
  public interface HeadEncoder<H extends HttpMessage> {
    void encode(ByteBuf buf, H message) throws Exception;
  }

  /**
   * Writes the head of {@code message}, whose chunked body follows, into {@code out} as Netty's
   * encoder writes it (a buffer sized by the running estimate of heads, its blank line included),
   * and releases {@code message}; the body begins: every message up to its last content is {@link
   * #encode}'s.
   */
  public <H extends HttpMessage> void encodeHead(
      ChannelHandlerContext ctx, H message, HeadEncoder<H> encoder, List<Object> out)
      throws Exception {
    ByteBuf buf = ctx.alloc().buffer((int) headSize);
    try {
      encoder.encode(buf, message);
      buf.writeShort(CRLF);
    } catch (Exception e) {
      buf.release();
      throw e;
    } finally {
      ReferenceCountUtil.release(message);
    }
    headSize = WEIGHT_NEW * padded(buf.readableBytes()) + WEIGHT_HISTORICAL * headSize;
    inBody = true;
    out.add(buf);
  }

  /**
   * Frames {@code msg}, an {@link HttpContent} or a {@link ByteBuf} of the body, into {@code out},
   * and releases it; a {@link LastHttpContent} ends the body with its trailers.
   */
  public void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
    try {
      ByteBuf data;
      HttpHeaders trailers = null;
      if (msg instanceof HttpContent content) {
        data = content.content();
        if (msg instanceof LastHttpContent last) {
          trailers = last.trailingHeaders();
        }
      } else if (msg instanceof ByteBuf buf) {
        data = buf;
      } else {
        throw new IllegalStateException(
            "unexpected message type: "
                + msg.getClass().getSimpleName()
                + " (expected: HttpContent or ByteBuf in a chunked body)");
      }
      chunk(ctx, data, trailers, out);
      if (trailers != null) {
        inBody = false;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** One chunk, and the end when {@code trailers} is not null (the last content's). */
  private void chunk(
      ChannelHandlerContext ctx, ByteBuf data, @Nullable HttpHeaders trailers, List<Object> out) {
    int n = data.readableBytes();
    int endLength = trailers != null ? endLength(trailers) : 0;
    if (n == 0) {
      if (trailers != null) {
        ByteBuf buf = ctx.alloc().buffer(endLength);
        writeEnd(buf, trailers);
        out.add(buf);
      } else {
        // Netty's encoder passes an empty content on as it is
        out.add(data.retain());
      }
      return;
    }
    int sizeLine = hexDigits(n) + 2;
    ByteBuf after;
    if (n <= COPIED) {
      after = ctx.alloc().buffer(sizeLine + n + 2 + endLength);
      writeSizeLine(after, n);
      after.writeBytes(data, data.readerIndex(), n);
    } else {
      ByteBuf size = ctx.alloc().buffer(sizeLine);
      writeSizeLine(size, n);
      out.add(size);
      out.add(data.retain());
      after = ctx.alloc().buffer(2 + endLength);
    }
    after.writeShort(CRLF);
    if (trailers != null) {
      writeEnd(after, trailers);
    }
    out.add(after);
  }

  /** The bytes of the end, exactly without trailers and as Netty estimates them with. */
  private int endLength(HttpHeaders trailers) {
    return trailers.isEmpty() ? 5 : (int) trailersSize;
  }

  /** {@code 0 CRLF}, the trailer fields, {@code CRLF}. */
  private void writeEnd(ByteBuf buf, HttpHeaders trailers) {
    buf.writeMedium(ZERO_CRLF);
    if (!trailers.isEmpty()) {
      int from = buf.writerIndex();
      HeadBytes b = trailerBytes;
      if (b == null) {
        b = trailerBytes = new HeadBytes();
      }
      b.writeHeaders(trailers, buf);
      trailersSize =
          WEIGHT_NEW * padded(buf.writerIndex() - from + 5) + WEIGHT_HISTORICAL * trailersSize;
    }
    buf.writeShort(CRLF);
  }

  private static void writeSizeLine(ByteBuf buf, int n) {
    for (int shift = (hexDigits(n) - 1) << 2; shift >= 0; shift -= 4) {
      buf.writeByte(HEX[(n >>> shift) & 0xF]);
    }
    buf.writeShort(CRLF);
  }

  private static int hexDigits(int n) {
    return Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(n) + 3) >> 2);
  }

  /** Netty's padding of a size for its running estimate: a third more. */
  private static int padded(int size) {
    return (size << 2) / 3;
  }
}
