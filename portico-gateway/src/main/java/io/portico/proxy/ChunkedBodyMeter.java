package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * Follows the framing of one chunked request body in the raw bytes ahead of the HTTP codec, to
 * count what the codec parses but does not report: chunk extensions ({@code 5;name=value}) and line
 * folding in the trailers. Netty's decoder skips extensions, so without this a client could send a
 * body of a million one-byte chunks that each carry an extension, or fold a trailer field the codec
 * then joins.
 *
 * <p>The meter only reads; it never decides the framing. On input the codec refuses anyway it may
 * lose its place, which does no harm: the codec ends the exchange. Owned by one {@link
 * ObsFoldGuard}, on its connection's event loop.
 */
final class ChunkedBodyMeter {

  private enum State {
    SIZE_LINE,
    DATA,
    DATA_END,
    TRAILER_LINE_START,
    TRAILER_END,
    TRAILER_LINE
  }

  private final int maxExtensions;
  private final int maxExtensionBytes;

  private State state = State.SIZE_LINE;
  private long size;
  private boolean sizeSeen;
  private boolean inExtension;
  private long dataRemaining;
  private int extensions;
  private long extensionBytes;
  private @Nullable String violation;

  ChunkedBodyMeter(int maxExtensions, int maxExtensionBytes) {
    this.maxExtensions = maxExtensions;
    this.maxExtensionBytes = maxExtensionBytes;
  }

  /** Starts on a new body. */
  void reset() {
    state = State.SIZE_LINE;
    size = 0;
    sizeSeen = false;
    inExtension = false;
    dataRemaining = 0;
    extensions = 0;
    extensionBytes = 0;
    violation = null;
  }

  /** What the body broke, once it broke a limit or a rule; null while it is acceptable. */
  @Nullable String violation() {
    return violation;
  }

  /**
   * Reads {@code in} from {@code from} (inclusive) to {@code to} (exclusive) without moving its
   * indexes.
   *
   * @return the index just after the body's last byte (the blank line after the last chunk and its
   *     trailers), or -1 when the body goes on after {@code to}
   */
  int feed(ByteBuf in, int from, int to) {
    int i = from;
    while (i < to) {
      if (state == State.DATA) {
        int n = (int) Math.min(dataRemaining, to - i);
        i += n;
        dataRemaining -= n;
        if (dataRemaining == 0) {
          state = State.DATA_END;
        }
        continue;
      }
      byte b = in.getByte(i++);
      switch (state) {
        case SIZE_LINE -> sizeLine(b);
        case DATA_END -> {
          if (b == '\n') {
            startSizeLine();
          }
        }
        case TRAILER_LINE_START -> {
          if (b == '\n') {
            startSizeLine();
            return i;
          } else if (b == '\r') {
            state = State.TRAILER_END;
          } else if (b == ' ' || b == '\t') {
            refuse("obsolete line folding in the request trailers (expected: one line per field)");
            state = State.TRAILER_LINE;
          } else {
            state = State.TRAILER_LINE;
          }
        }
        case TRAILER_END -> {
          if (b == '\n') {
            startSizeLine();
            return i;
          }
          state = State.TRAILER_LINE;
        }
        case TRAILER_LINE -> {
          if (b == '\n') {
            state = State.TRAILER_LINE_START;
          }
        }
        default -> throw new AssertionError(state);
      }
    }
    return -1;
  }

  private void sizeLine(byte b) {
    if (b == '\n') {
      if (sizeSeen && size == 0) {
        state = State.TRAILER_LINE_START;
      } else {
        dataRemaining = size;
        state = size == 0 ? State.DATA_END : State.DATA;
      }
      return;
    }
    if (inExtension) {
      extensionBytes++;
      if (b == ';') {
        extensions++;
      }
      checkExtensions();
    } else if (b == ';') {
      inExtension = true;
      extensions++;
      extensionBytes++;
      checkExtensions();
    } else {
      int digit = Character.digit(b, 16);
      if (digit >= 0) {
        sizeSeen = true;
        // Past 2^40 the codec refuses the size anyway; only stay positive.
        size = size < (1L << 40) ? (size << 4) + digit : size;
      }
    }
  }

  private void checkExtensions() {
    if (extensions > maxExtensions) {
      refuse("more than " + maxExtensions + " chunk extensions in the request body");
    } else if (extensionBytes > maxExtensionBytes) {
      refuse("chunk extensions of more than " + maxExtensionBytes + " bytes in the request body");
    }
  }

  private void refuse(String why) {
    if (violation == null) {
      violation = why;
    }
  }

  private void startSizeLine() {
    state = State.SIZE_LINE;
    size = 0;
    sizeSeen = false;
    inExtension = false;
  }
}
