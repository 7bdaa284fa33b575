package io.portico.upstream;

import static io.portico.upstream.HeadFieldBytes.isToken;
import static io.portico.upstream.HeadFieldBytes.isVisible;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The chunked bodies of plain responses ({@link PlainResponseHeadParser}) that {@link
 * UpstreamCodec} reads without Netty's decoder, in the strict form: each size line is hexadecimal
 * digits (at most 8, at most {@code Integer.MAX_VALUE}), optionally a {@code ;} and extensions of
 * visible ASCII, SP and HT (ignored, as Netty ignores them), and CRLF, the line shorter than {@code
 * maxLineLength}; each chunk's data is followed by CRLF; the last chunk ({@code 0}) by trailer
 * fields, each a token, a colon, optional SP/HT and a value of visible ASCII, SP and HT, and an
 * empty line, the trailer section within {@code maxHeaderSize} bytes.
 *
 * <p>Two ways to read one. {@link #scan} finds a whole body of at most {@link #MAX_CHUNKS} chunks
 * of at most {@code maxChunkSize} bytes and no trailers in the buffer, the common case, which the
 * codec emits in one pass. Any other body (one that continues in a later read, with trailers, more
 * chunks, a larger chunk) is read {@link #step} by step, its state kept here between reads; {@link
 * #scan} answers {@link #CONTINUED} for it when every byte of it in the buffer has the strict form,
 * and {@link #NOT_PLAIN} otherwise (a size with white space, a bare LF, a folded trailer, a limit
 * reached): Netty's decoder then reads the response from its first byte, with its own refusals and
 * leniencies. Once the codec has taken a body, bytes in a later read that do not have the strict
 * form fail it ({@link #BAD}), as Netty's decoder fails the chunks it refuses.
 *
 * <p>One per connection, used on its event loop only.
 */
final class PlainChunks {

  /** Chunks a plain body may have; a body with more is Netty's. */
  static final int MAX_CHUNKS = 16;

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  /** {@link #scan}: the bytes are a chunked body that is not whole, or not of the one-pass kind. */
  static final int CONTINUED = -2;

  /** {@link #scan}: the bytes are not of the strict form; the response is Netty's. */
  static final int NOT_PLAIN = -1;

  /** {@link #step}: the next element is not all in the buffer yet. */
  static final int MORE = -2;

  /** {@link #step}: the bytes are not of the strict form. */
  static final int BAD = -1;

  /** What the last {@link #step} read, in the order a body has them. */
  static final int SIZE_LINE = 0;

  static final int DATA = 1;
  static final int DATA_END = 2;
  static final int LAST_SIZE_LINE = 3;
  static final int FIELD = 4;
  static final int END = 5;

  private final int maxLineLength;
  private final int maxChunkSize;
  private final int maxHeaderSize;

  /** What {@link #step} expects next: {@link #SIZE_LINE}, {@link #DATA}, ..., {@link #END}. */
  private int expect = SIZE_LINE;

  /** Data bytes of the current chunk still to come. */
  private int left;

  /** Bytes of the trailer section read so far. */
  private int trailerBytes;

  /** What the last {@link #step} read. */
  private int found;

  /** The field line the last {@link #step} read: where its name ends, its value's bounds. */
  private int nameEnd;

  private int valueStart;
  private int valueEnd;

  /** The data of each chunk found: start in the buffer and length. */
  private final int[] starts = new int[MAX_CHUNKS];

  private final int[] lengths = new int[MAX_CHUNKS];
  private int count;

  PlainChunks(int maxLineLength, int maxChunkSize, int maxHeaderSize) {
    this.maxLineLength = maxLineLength;
    this.maxChunkSize = maxChunkSize;
    this.maxHeaderSize = maxHeaderSize;
  }

  /**
   * Scans the chunked body that starts at {@code from} in {@code in}: the index just past its end,
   * with {@link #count}, {@link #start} and {@link #length} describing its chunks, when it is whole
   * and of the one-pass kind; {@link #CONTINUED} when it is of the strict form as far as the buffer
   * goes, to be read {@link #step} by step from {@link #begin}; {@link #NOT_PLAIN} otherwise. Reads
   * nothing from {@code in}.
   */
  int scan(ByteBuf in, int from) {
    int whole = scanWhole(in, from);
    return whole >= 0 ? whole : strictSoFar(in, from) ? CONTINUED : NOT_PLAIN;
  }

  /** Whether the bytes from {@code from} on are of the strict form, as far as they go. */
  private boolean strictSoFar(ByteBuf in, int from) {
    begin();
    int end = in.writerIndex();
    int i = from;
    while (i < end && expect != -1) {
      int next = step(in, i, end, Integer.MAX_VALUE);
      if (next == BAD) {
        return false;
      }
      if (next == MORE) {
        break;
      }
      i = next;
    }
    begin();
    return true;
  }

  private int scanWhole(ByteBuf in, int from) {
    int end = in.writerIndex();
    int i = from;
    count = 0;
    while (true) {
      int line = i;
      long size = 0;
      int digits = 0;
      while (i < end) {
        int d = hex(in.getByte(i));
        if (d < 0) {
          break;
        }
        if (++digits > 8) {
          return -1;
        }
        size = (size << 4) | d;
        i++;
      }
      if (digits == 0 || i >= end) {
        return -1;
      }
      if (in.getByte(i) == ';') {
        i++;
        byte b;
        while (i < end && (b = in.getByte(i)) != CR) {
          if (b != ' ' && b != '\t' && !isVisible(b)) {
            return -1;
          }
          i++;
        }
      }
      if (i - line + 2 >= maxLineLength || !crlf(in, i, end)) {
        return -1;
      }
      i += 2;
      if (size == 0) {
        return crlf(in, i, end) ? i + 2 : -1;
      }
      if (size > maxChunkSize || size > end - i || count == MAX_CHUNKS) {
        return -1;
      }
      starts[count] = i;
      lengths[count] = (int) size;
      count++;
      i += (int) size;
      if (!crlf(in, i, end)) {
        return -1;
      }
      i += 2;
    }
  }

  /** The number of data chunks the last scan found (the last chunk, {@code 0}, not counted). */
  int count() {
    return count;
  }

  /** Where chunk {@code i}'s data starts in the buffer. */
  int start(int i) {
    return starts[i];
  }

  /** The length of chunk {@code i}'s data. */
  int length(int i) {
    return lengths[i];
  }

  // ---------------------------------------------------------------- step by step

  /** Starts a body: the next {@link #step} reads its first size line. */
  void begin() {
    expect = SIZE_LINE;
    left = 0;
    trailerBytes = 0;
  }

  /**
   * Reads the next element of the body at {@code i} (before {@code end}): a size line, at most
   * {@code maxPiece} bytes of a chunk's data, the CRLF after the data, the last chunk's size line,
   * a trailer field line, or the empty line that ends the body ({@link #found} says which). Answers
   * the index just past it, {@link #MORE} when it is not all in the buffer yet (nothing read), or
   * {@link #BAD}.
   */
  int step(ByteBuf in, int i, int end, int maxPiece) {
    switch (expect) {
      case SIZE_LINE:
        return sizeLine(in, i, end);
      case DATA:
        {
          int n = Math.min(Math.min(left, maxPiece), end - i);
          if (n == 0) {
            return MORE;
          }
          left -= n;
          found = DATA;
          if (left == 0) {
            expect = DATA_END;
          }
          return i + n;
        }
      case DATA_END:
        if (end - i < 2) {
          return in.getByte(i) == CR ? MORE : BAD;
        }
        if (!crlf(in, i, end)) {
          return BAD;
        }
        found = DATA_END;
        expect = SIZE_LINE;
        return i + 2;
      case FIELD:
        return trailerLine(in, i, end);
      default:
        return BAD;
    }
  }

  /** What the last {@link #step} read: {@link #SIZE_LINE}, {@link #DATA}, ... {@link #END}. */
  int found() {
    return found;
  }

  /** Whether the data the last {@link #step} read ended its chunk. */
  boolean chunkEnded() {
    return expect == DATA_END;
  }

  /** The trailer field line the last {@link #step} read: where its name ends. */
  int nameEnd() {
    return nameEnd;
  }

  /** Where the field's value starts, trimmed of SP and HT. */
  int valueStart() {
    return valueStart;
  }

  /** Where the field's value ends, trimmed of SP and HT. */
  int valueEnd() {
    return valueEnd;
  }

  private int sizeLine(ByteBuf in, int from, int end) {
    int i = from;
    long size = 0;
    int digits = 0;
    int significant = 0;
    while (i < end) {
      int d = hex(in.getByte(i));
      if (d < 0) {
        break;
      }
      // leading zeros, which Netty reads too, are bounded by the line's length
      digits++;
      if ((size != 0 || d != 0) && ++significant > 8) {
        return BAD;
      }
      size = (size << 4) | d;
      i++;
    }
    if (i < end && digits == 0) {
      return BAD;
    }
    int ws = i;
    while (ws < end && (in.getByte(ws) == ' ' || in.getByte(ws) == '\t')) {
      ws++;
    }
    if (ws > i) {
      // white space is allowed before an extension (RFC 9112 7.1.1's BWS, as Netty reads it),
      // not before the line's end
      if (ws >= end) {
        return ws - from + 2 >= maxLineLength ? BAD : MORE;
      }
      if (in.getByte(ws) == ';') {
        i = ws;
      }
    }
    if (i < end && in.getByte(i) == ';') {
      i++;
      byte b;
      while (i < end && (b = in.getByte(i)) != CR) {
        if (b != ' ' && b != '\t' && !isVisible(b)) {
          return BAD;
        }
        i++;
      }
    }
    if (i - from + 2 >= maxLineLength) {
      return BAD;
    }
    if (i + 1 >= end) {
      return i < end && in.getByte(i) != CR ? BAD : MORE;
    }
    if (!crlf(in, i, end) || size > Integer.MAX_VALUE) {
      return BAD;
    }
    if (size == 0) {
      found = LAST_SIZE_LINE;
      expect = FIELD;
    } else {
      found = SIZE_LINE;
      expect = DATA;
      left = (int) size;
    }
    return i + 2;
  }

  /** A trailer field line, or the empty line that ends the body. */
  private int trailerLine(ByteBuf in, int from, int end) {
    int i = from;
    while (i < end && isToken(in.getByte(i))) {
      i++;
    }
    int name = i;
    boolean empty = name == from;
    if (!empty) {
      if (i < end && in.getByte(i) != ':') {
        return BAD;
      }
      i++;
      while (i < end && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
        i++;
      }
      valueStart = i;
      byte b;
      while (i < end && (b = in.getByte(i)) != CR) {
        if (b != ' ' && b != '\t' && !isVisible(b)) {
          return BAD;
        }
        i++;
      }
    }
    if (trailerBytes + (i - from) + 2 > maxHeaderSize) {
      return BAD;
    }
    if (i + 1 >= end) {
      return i < end && in.getByte(i) != CR ? BAD : MORE;
    }
    if (!crlf(in, i, end)) {
      return BAD;
    }
    trailerBytes += i - from + 2;
    if (empty) {
      found = END;
      expect = -1;
    } else {
      found = FIELD;
      nameEnd = name;
      int v = i;
      while (v > valueStart && (in.getByte(v - 1) == ' ' || in.getByte(v - 1) == '\t')) {
        v--;
      }
      valueEnd = v;
    }
    return i + 2;
  }

  // ---------------------------------------------------------------- a body read as it comes

  /** {@link #read}: the body is complete, its end emitted. */
  static final int DONE = 0;

  /**
   * Emits what {@code buffer} holds of the chunked body of {@code response}, read step by step from
   * {@link #begin}: each chunk's data in pieces of at most {@code maxChunkSize} bytes as they come,
   * as Netty's decoder emits them, then the response's {@link PlainBodyEnd} with the trailers; the
   * last chunk's data goes in that end when the empty last chunk follows it at once in the buffer.
   * Bytes not of the strict form fail the body, as Netty's decoder fails a chunk it refuses: a last
   * content with a failed decoder result, and the rest of the buffer skipped.
   *
   * @param alloc the buffers of the copied pieces; null copies nothing
   * @return {@link #MORE} while the body continues, {@link #DONE} once it ended, {@link #BAD}
   */
  int read(
      ByteBuf buffer,
      UpstreamCodec.Response response,
      @Nullable ByteBufAllocator alloc,
      List<Object> out) {
    int end = buffer.writerIndex();
    while (buffer.isReadable()) {
      int i = buffer.readerIndex();
      int next = step(buffer, i, end, maxChunkSize);
      if (next == MORE) {
        return MORE;
      }
      if (next == BAD) {
        buffer.skipBytes(buffer.readableBytes());
        LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        failed.setDecoderResult(
            DecoderResult.failure(
                new IllegalArgumentException(
                    "a chunked response body not of the strict form (a size line, the CRLF after"
                        + " a chunk's data, a trailer field, or a limit)")));
        out.add(failed);
        return BAD;
      }
      switch (found) {
        case DATA -> {
          if (expect == DATA_END && emptyLastChunkAt(buffer, next, end)) {
            ByteBuf last = piece(alloc, buffer, next - i);
            buffer.skipBytes(LAST_CHUNK.length);
            out.add(response.end().fill(last));
            return DONE;
          }
          out.add(new DefaultHttpContent(piece(alloc, buffer, next - i)));
        }
        case LAST_SIZE_LINE -> {
          response.end().fill(Unpooled.EMPTY_BUFFER);
          buffer.readerIndex(next);
        }
        case FIELD -> {
          addTrailer(buffer, i, response.end().trailingHeaders());
          buffer.readerIndex(next);
        }
        case END -> {
          buffer.readerIndex(next);
          out.add(response.end());
          return DONE;
        }
        default -> buffer.readerIndex(next);
      }
    }
    return MORE;
  }

  /** CRLF, the empty last chunk and the empty line that ends a body without trailers. */
  private static final byte[] LAST_CHUNK = {'\r', '\n', '0', '\r', '\n', '\r', '\n'};

  private static boolean emptyLastChunkAt(ByteBuf buffer, int i, int end) {
    if (end - i < LAST_CHUNK.length) {
      return false;
    }
    for (int k = 0; k < LAST_CHUNK.length; k++) {
      if (buffer.getByte(i + k) != LAST_CHUNK[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The trailer field the last {@link #step} read, as Netty's decoder adds one: {@code
   * Content-Length}, {@code Transfer-Encoding} and {@code Trailer} dropped, the rest added to the
   * end's trailers, which validate them as Netty's do.
   */
  private void addTrailer(ByteBuf buffer, int from, HttpHeaders trailers) {
    int length = nameEnd - from;
    byte[] bytes = new byte[length];
    buffer.getBytes(from, bytes);
    AsciiString shared = SharedResponseWords.headerName(bytes, 0, length);
    AsciiString name = shared != null ? shared : new AsciiString(bytes, false);
    if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)) {
      return;
    }
    trailers.add(
        name, buffer.toString(valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
  }

  /**
   * The next {@code n} bytes of {@code buffer}: a piece of at most {@link
   * UpstreamCodec.Decoder#COPIED_BODY} bytes is copied into a buffer of {@code alloc}, whose buffer
   * objects are pooled, instead of a slice object per piece; a larger one is a slice.
   */
  static ByteBuf piece(@Nullable ByteBufAllocator alloc, ByteBuf buffer, int n) {
    if (n <= UpstreamCodec.Decoder.COPIED_BODY && alloc != null) {
      ByteBuf copy = alloc.buffer(n);
      copy.writeBytes(buffer, n);
      return copy;
    }
    return buffer.readRetainedSlice(n);
  }

  private static boolean crlf(ByteBuf in, int i, int end) {
    return i + 1 < end && in.getByte(i) == CR && in.getByte(i + 1) == LF;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
