package io.portico.ai;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits a provider's {@code text/event-stream} body into {@link SseEvent}s as its bytes arrive,
 * whatever the chunking: an event is read only once its blank line has arrived, so multi-byte
 * characters split across chunks are decoded whole. Lines end with LF, CRLF or CR. One parser per
 * stream; confined to its event loop.
 */
final class SseParser {

  /** The largest event accepted; a provider sending more is broken. */
  static final int MAX_EVENT_SIZE = 4 << 20;

  /** A provider's stream that is not usable as server-sent events. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final StringBuilder data = new StringBuilder();
  private @Nullable String event;
  private boolean dataSeen;
  private boolean lastWasCr;
  private int eventSize;

  /** Reads {@code chunk} (not released) and adds each event it completes to {@code out}. */
  void feed(ByteBuf chunk, List<SseEvent> out) throws Malformed {
    for (int i = chunk.readerIndex(), end = chunk.writerIndex(); i < end; i++) {
      byte b = chunk.getByte(i);
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine(out);
        continue;
      }
      if (++eventSize > MAX_EVENT_SIZE) {
        throw new Malformed("sent a stream event larger than " + MAX_EVENT_SIZE + " bytes");
      }
      line.write(b);
    }
  }

  /** The stream ended: an event without its blank line still counts. */
  void end(List<SseEvent> out) {
    if (line.size() > 0) {
      endLine(out);
    }
    dispatch(out);
  }

  private void endLine(List<SseEvent> out) {
    if (line.size() == 0) {
      dispatch(out);
      return;
    }
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.startsWith(":")) {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("data")) {
      if (dataSeen) {
        data.append('\n');
      }
      data.append(value);
      dataSeen = true;
    } else if (field.equals("event")) {
      event = value;
    }
  }

  private void dispatch(List<SseEvent> out) {
    if (dataSeen || event != null) {
      out.add(new SseEvent(event, data.toString()));
    }
    data.setLength(0);
    dataSeen = false;
    event = null;
    eventSize = 0;
  }
}
