package io.portico.upstream;

import static io.portico.upstream.HeadFieldBytes.isVisible;

import io.netty.buffer.ByteBuf;

/**
 * Finds a whole chunked body of the plain kind in the receive buffer, right after a plain head
 * ({@link PlainResponseHeadParser}), for {@link UpstreamCodec} to read without Netty's decoder:
 * every chunk is in the buffer; each size line is hexadecimal digits (at most 8), optionally a
 * {@code ;} and extensions of visible ASCII, SP and HT (ignored, as Netty ignores them), and CRLF,
 * the line shorter than {@code maxLineLength}; each chunk's data is followed by CRLF and is at most
 * {@code maxChunkSize} bytes; the last chunk ({@code 0}) is followed by CRLF at once: no trailers.
 * Anything else (a body that continues in a later read, trailers, a size with white space, a bare
 * LF, a chunk too large, more than {@link #MAX_CHUNKS} chunks) is not read here: {@link #scan}
 * answers -1 and Netty's decoder reads the response from its first byte, as it reads every chunked
 * response that is not plain, with its own refusals.
 *
 * <p>One per connection, used on its event loop only.
 */
final class PlainChunks {

  /** Chunks a plain body may have; a body with more is Netty's. */
  static final int MAX_CHUNKS = 16;

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final int maxLineLength;
  private final int maxChunkSize;

  /** The data of each chunk found: start in the buffer and length. */
  private final int[] starts = new int[MAX_CHUNKS];

  private final int[] lengths = new int[MAX_CHUNKS];
  private int count;

  PlainChunks(int maxLineLength, int maxChunkSize) {
    this.maxLineLength = maxLineLength;
    this.maxChunkSize = maxChunkSize;
  }

  /**
   * Scans the chunked body that starts at {@code from} in {@code in}: the index just past its end,
   * with {@link #count}, {@link #start} and {@link #length} describing its chunks, or -1 when the
   * body is not a whole plain one. Reads nothing from {@code in}.
   */
  int scan(ByteBuf in, int from) {
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
