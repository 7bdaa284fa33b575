package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.internal.PlatformDependent;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The bulk copies behind the head writers of both directions ({@link RequestHeadWriter} for
 * requests going upstream, the client codec's {@code ResponseHeadWriter} for responses going to
 * clients): a start line or header block is laid out in a byte array of the connection's own and
 * copied into the encoder's pooled buffer in one {@code writeBytes}, where Netty's encoders write a
 * direct buffer byte by byte through its bounds and reference checks.
 *
 * <p>The bytes are those of Netty's HTTP/1.x encoders: text as ASCII, each character written as its
 * low byte and a character above U+00FF as {@code ?} (what {@code AsciiString.c2b} does), {@code ":
 * "} and CRLF around a field. Header values are checked when they are set on the head, not here.
 *
 * <p>A start line may be held ({@link #hold}) instead of copied at once: the header block written
 * next into the same buffer ({@link #writeHeaders}) is laid out after it and both go in one copy,
 * so a head costs one copy (and one check of the buffer's reference count and bounds) instead of
 * one per part.
 *
 * <p>Ownership: one instance per connection codec, used on the connection's event loop only. The
 * array holds bytes only during one call, or from a {@link #hold} to the header block that follows
 * it; it grows for a larger head and is kept up to {@link #KEEP_LIMIT} bytes, so a connection that
 * once sent a large head does not hold it.
 */
public final class HeadBytes {

  /** The largest array kept between heads. */
  public static final int KEEP_LIMIT = 8192;

  private byte[] scratch = new byte[512];

  /** Whether arrays may be copied straight to a buffer's memory address. */
  private static final boolean UNSAFE_COPY = PlatformDependent.hasUnsafe();

  /** The length of a start line held at the start of {@link #scratch}; 0 when none is. */
  private int held;

  /** The buffer the held start line goes to, with the header block that follows it. */
  private @Nullable ByteBuf heldFor;

  /**
   * The array to lay out a line of {@code need} bytes in; pass it to {@link #write} or {@link
   * #hold} when done. Nothing else may use it in between. A held start line not yet written is
   * dropped: its head was abandoned.
   */
  public byte[] room(int need) {
    drop();
    byte[] s = scratch;
    return need <= s.length ? s : grow(s, 0, need);
  }

  /**
   * Holds the first {@code length} bytes of {@code s} (from {@link #room}), a start line, for the
   * header block that {@link #writeHeaders} writes next into {@code buf}: both go into the buffer
   * in one copy. Written at once when the line did not fit the kept array.
   */
  public void hold(ByteBuf buf, byte[] s, int length) {
    keep(s);
    if (s != scratch) {
      write(buf, s, length);
      return;
    }
    held = length;
    heldFor = buf;
  }

  /** Drops a held start line: the head it began is not written (or written by another writer). */
  public void drop() {
    held = 0;
    heldFor = null;
  }

  /** The length of the start line held for {@code buf}, which the header block follows; else 0. */
  private int takeHeld(ByteBuf buf) {
    int n = heldFor == buf ? held : 0;
    drop();
    return n;
  }

  /**
   * Copies the first {@code length} bytes of {@code s} (from {@link #room}) into {@code buf}. Into
   * a buffer with a memory address (the pooled direct buffers of the native transports) the bytes
   * go with one memory copy to that address, as Netty's own unsafe buffers copy; the array's own
   * {@code writeBytes} goes through an NIO buffer's bulk put and its method-handle checks on
   * Netty's adaptive buffers, and a heap view of the array costs a reference count's ordered store
   * each time it is made, both more than the copy of a short line.
   */
  public void write(ByteBuf buf, byte[] s, int length) {
    if (UNSAFE_COPY && buf.hasMemoryAddress()) {
      buf.ensureWritable(length);
      int at = buf.writerIndex();
      PlatformDependent.copyMemory(s, 0, buf.memoryAddress() + at, length);
      buf.writerIndex(at + length);
    } else {
      buf.writeBytes(s, 0, length);
    }
    keep(s);
  }

  /**
   * Writes each header as {@code name: value CRLF}, in the order the head holds them, after the
   * start line held for {@code buf} if there is one. A map that Portico's codecs decoded ({@link
   * KeptHeaders}: a client's request, an upstream's response) is walked without an iterator.
   */
  public void writeHeaders(HttpHeaders headers, ByteBuf buf) {
    writeHeaders(headers, null, buf);
  }

  /**
   * Writes the held start line, each header as {@code name: value CRLF} and then {@code encoded}
   * (when not null), in one copy into {@code buf}.
   */
  public void writeHeaders(HttpHeaders headers, @Nullable EncodedFields encoded, ByteBuf buf) {
    FieldWriter w = fieldWriter;
    w.s = scratch;
    w.p = takeHeld(buf);
    if (headers instanceof KeptHeaders kept) {
      kept.forEachField(w);
    } else {
      Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = it.next();
        w.accept(header.getKey(), header.getValue());
      }
    }
    byte[] s = w.s;
    int p = w.p;
    if (encoded != null) {
      int need = p + encoded.encodedFieldsLength();
      if (need > s.length) {
        s = grow(s, p, need);
      }
      p = encoded.encodeFields(s, p);
    }
    write(buf, s, p);
    w.s = scratch;
  }

  private final FieldWriter fieldWriter = new FieldWriter();

  /** Lays out the fields handed to it after each other, in the array it holds during one call. */
  private static final class FieldWriter implements BiConsumer<CharSequence, CharSequence> {
    byte[] s = new byte[0];
    int p;

    @Override
    public void accept(CharSequence name, CharSequence value) {
      int need = p + name.length() + value.length() + 4;
      if (need > s.length) {
        s = grow(s, p, need);
      }
      int q = put(s, p, name);
      s[q++] = ':';
      s[q++] = ' ';
      q = put(s, q, value);
      s[q++] = '\r';
      s[q++] = '\n';
      p = q;
    }
  }

  private static byte[] grow(byte[] s, int used, int need) {
    byte[] bigger = new byte[Math.max(need, s.length * 2)];
    System.arraycopy(s, 0, bigger, 0, used);
    return bigger;
  }

  private void keep(byte[] s) {
    if (s != scratch && s.length <= KEEP_LIMIT) {
      scratch = s;
    }
  }

  /** Puts {@code text} at {@code p} as Netty's encoders write it; returns the next position. */
  public static int put(byte[] s, int p, CharSequence text) {
    if (text instanceof AsciiString ascii) {
      return putAscii(s, p, ascii);
    }
    if (text instanceof String string) {
      return putString(s, p, string);
    }
    for (int i = 0, n = text.length(); i < n; i++) {
      s[p++] = AsciiString.c2b(text.charAt(i));
    }
    return p;
  }

  /** Puts the bytes of {@code ascii} at {@code p}; returns the next position. */
  public static int putAscii(byte[] s, int p, AsciiString ascii) {
    int n = ascii.length();
    System.arraycopy(ascii.array(), ascii.arrayOffset(), s, p, n);
    return p + n;
  }

  /** Puts {@code string} at {@code p}, a character above U+00FF as {@code ?}. */
  public static int putString(byte[] s, int p, String string) {
    for (int i = 0, n = string.length(); i < n; i++) {
      char c = string.charAt(i);
      s[p++] = c > 0xFF ? (byte) '?' : (byte) c;
    }
    return p;
  }

  /** Puts CRLF at {@code p}; returns the next position. */
  public static int putCrlf(byte[] s, int p) {
    s[p] = '\r';
    s[p + 1] = '\n';
    return p + 2;
  }
}
