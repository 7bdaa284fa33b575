package io.portico.proxy;

import static io.portico.upstream.HeadFieldBytes.canonicalDecimal;
import static io.portico.upstream.HeadFieldBytes.isToken;
import static io.portico.upstream.HeadFieldBytes.spells;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.portico.upstream.KeptHeaders;
import io.portico.upstream.SharedHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads a complete request head of the plain kind straight from the receive buffer, without the
 * per-field strings, line copies and request-line words of Netty's decoder: the common case of
 * {@link ClientCodec}'s decoder, which hands everything else to Netty's.
 *
 * <p>The plain kind is a strict subset of what Netty's {@code HttpRequestDecoder} accepts, and for
 * it this gives what Netty gives, byte for byte: the whole head is in the buffer; every line ends
 * in CRLF; the request line is a standard method, one SP, a target of visible ASCII, one SP and
 * {@code HTTP/1.1} or {@code HTTP/1.0}, within {@code maxInitialLineLength}; every field line is a
 * token, a colon, optional SP/HT and a value of visible ASCII, SP and HT (trimmed of SP/HT at both
 * ends, as Netty trims it), the lines together within {@code maxHeaderSize}; at most one {@code
 * Content-Length}, in canonical decimal; and no {@code Transfer-Encoding}, {@code Expect}, {@code
 * Upgrade} or {@code Sec-WebSocket-Key1/2}, whose handling stays Netty's. Anything else (a line
 * starting with white space, a bare LF, a control or non-ASCII byte, an unknown method or version,
 * a head split across reads, a limit reached) is not read here: {@link #scan} answers false and
 * Netty's decoder reads the same bytes, with its own refusals.
 *
 * <p>What it allocates: nothing for what repeats on a connection. A field value, field name and
 * target whose bytes equal those the previous request had at the same place are that request's
 * (immutable) strings again, and common names are {@link ClientCodec#NAMES}. What is new in a
 * request is a new string. The head's bytes are copied into one of two arrays per connection, of at
 * most 4 KiB each, the other keeping the previous head's; a larger head gets an array of its own,
 * dropped once its request is built. Repeating bytes are found by bulk compares of the two heads'
 * bytes ({@link Arrays#equals(byte[], int, int, byte[], int, int)}), not character by character.
 *
 * <p>A head whose bytes are exactly those of the previous plain head on the connection (a client
 * repeating its request) is not scanned again: the previous scan's result stands, names and values
 * included. The verdict of a scan depends on the bytes and the limits only, so it is the same.
 *
 * <p>One per connection, used on its event loop only.
 */
final class PlainHeadParser {

  /** Field lines a plain head may have; one with more is Netty's. */
  static final int MAX_FIELDS = 64;

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final SharedHeaderNames names;
  private final int maxInitialLineLength;
  private final int maxHeaderSize;

  /**
   * Heads up to this size are copied into the array the parser keeps; larger ones into their own.
   */
  private static final int KEPT_HEAD = 4096;

  /**
   * The previous head's bytes (when {@link #previousValid}); the two arrays kept grow to the
   * largest plain head seen, up to KEPT_HEAD.
   */
  private byte[] kept = new byte[512];

  /** Where the next head's bytes are copied; becomes {@link #kept} once it was read whole. */
  private byte[] next = new byte[512];

  /**
   * The scanned head's bytes: {@link #next}, {@link #kept} when repeated, or a larger head's own.
   */
  private byte[] head = kept;

  /**
   * Bytes of the previous head when it was read whole ({@link #addFields} done), {@link #kept}
   * holds them and the scan's result is still its; 0 otherwise.
   */
  private int repeatable;

  /**
   * {@link #kept} holds the previous head read whole, {@link #previous} its fields, and {@link
   * #givenNames} and {@link #lastValues} their strings up to {@link #previousFields}.
   */
  private boolean previousValid;

  /** {@link #lastTarget} is the string of the target at {@link #previousTargetStart} in kept. */
  private boolean previousTargetValid;

  private int previousFields;
  private int previousTargetStart;
  private int previousTargetLength;

  /** The previous head's {@link #fields}, in {@link #kept}. */
  private final int[] previous = new int[MAX_FIELDS * 4];

  /** The last scan found the previous head again: its names and values are those of the last. */
  private boolean repeated;

  /** Per field: name start, name length, value start, value length (in {@link #head}). */
  private final int[] fields = new int[MAX_FIELDS * 4];

  /** The line ends (index of each LF, relative to the head's start). */
  private final int[] lineEnds = new int[MAX_FIELDS + 2];

  // what the last scan found
  private int headLength;
  private int fieldCount;
  private long contentLength;
  private HttpMethod method = HttpMethod.GET;
  private HttpVersion version = HttpVersion.HTTP_1_1;
  private int targetStart;
  private int targetLength;

  // the previous request's strings, reused while the bytes repeat
  private @Nullable String lastTarget;
  private final @Nullable AsciiString[] lastNames = new AsciiString[MAX_FIELDS];
  private final @Nullable String[] lastValues = new String[MAX_FIELDS];

  /** The names {@link #addFields} gave the previous request, shared or not. */
  private final @Nullable AsciiString[] givenNames = new AsciiString[MAX_FIELDS];

  PlainHeadParser(SharedHeaderNames names, int maxInitialLineLength, int maxHeaderSize) {
    this.names = names;
    this.maxInitialLineLength = maxInitialLineLength;
    this.maxHeaderSize = maxHeaderSize;
  }

  /**
   * Whether {@code in} starts with a complete plain head; if so, it is read (not consumed: {@link
   * #headLength}) and the accessors describe it. Reads nothing from {@code in} otherwise.
   */
  boolean scan(ByteBuf in) {
    int start = in.readerIndex();
    if (repeats(in, start)) {
      head = kept;
      repeated = true;
      return true;
    }
    repeatable = 0;
    repeated = false;
    int lines = findLines(in, start);
    if (lines < 0) {
      return false;
    }
    int length = headLength;
    if (length <= KEPT_HEAD) {
      head = room(length);
    } else {
      head = new byte[length]; // dropped by done(): a connection keeps at most 2 x KEPT_HEAD
    }
    in.getBytes(start, head, 0, length);
    return requestLine(lineEnds[0] - 1) && fieldLines(lines);
  }

  /** {@link #next}, grown to hold {@code length} bytes. */
  private byte[] room(int length) {
    if (next.length < length) {
      next = new byte[Math.min(KEPT_HEAD, Math.max(length, next.length * 2))];
    }
    return next;
  }

  /**
   * Whether {@code in} starts with the previous plain head's bytes, which are then its whole head:
   * that head's first blank line ends where the previous one's did.
   */
  private boolean repeats(ByteBuf in, int start) {
    int length = repeatable;
    if (length == 0 || in.writerIndex() - start < length) {
      return false;
    }
    byte[] b = room(length);
    in.getBytes(start, b, 0, length);
    return Arrays.equals(b, 0, length, kept, 0, length);
  }

  /**
   * The number of lines before the blank one, with {@link #lineEnds} and {@link #headLength} set,
   * or -1 when the head is not complete and plain as far as its line breaks go.
   */
  private int findLines(ByteBuf in, int start) {
    int end = in.writerIndex();
    long bound = (long) start + maxInitialLineLength + maxHeaderSize + 2L * (MAX_FIELDS + 2);
    int limit = (int) Math.min(end, bound);
    int from = start;
    int lines = 0;
    while (true) {
      int lf = in.indexOf(from, limit, LF);
      if (lf < 0 || lf == from || in.getByte(lf - 1) != CR) {
        return -1; // not complete here, or a bare LF
      }
      if (lf - 1 == from) {
        if (lines == 0) {
          return -1; // a blank line before the request line: Netty skips it
        }
        headLength = lf + 1 - start;
        return lines;
      }
      if (lines == lineEnds.length - 1) {
        return -1;
      }
      lineEnds[lines++] = lf - start;
      from = lf + 1;
    }
  }

  /** The request line, {@code [0, end)} of {@link #head}. */
  private boolean requestLine(int end) {
    if (end > maxInitialLineLength) {
      return false;
    }
    byte[] b = head;
    int sp = 0;
    while (sp < end && b[sp] != ' ') {
      if (!isToken(b[sp])) {
        return false;
      }
      sp++;
    }
    HttpMethod m = method(b, sp);
    if (m == null) {
      return false;
    }
    int t = sp + 1;
    int i = t;
    while (i < end && b[i] > 0x20 && b[i] < 0x7f) {
      i++;
    }
    if (i == t || i + 9 != end || b[i] != ' ') {
      return false;
    }
    HttpVersion v = version(b, i + 1);
    if (v == null) {
      return false;
    }
    method = m;
    version = v;
    targetStart = t;
    targetLength = i - t;
    return true;
  }

  /** The field lines 1 to {@code lines - 1}; false at anything not plain. */
  private boolean fieldLines(int lines) {
    byte[] b = head;
    int size = 0;
    long length = -1;
    for (int line = 1; line < lines; line++) {
      int from = lineEnds[line - 1] + 1;
      int end = lineEnds[line] - 1;
      size += end - from;
      if (size > maxHeaderSize) {
        return false;
      }
      int colon = from;
      while (colon < end && b[colon] != ':') {
        if (!isToken(b[colon])) {
          return false; // also a line starting with SP or HT: a fold
        }
        colon++;
      }
      int nameLength = colon - from;
      if (colon == end || nameLength == 0) {
        return false;
      }
      int v = colon + 1;
      while (v < end && (b[v] == ' ' || b[v] == '\t')) {
        v++;
      }
      int valueEnd = v;
      for (int i = v; i < end; i++) {
        byte c = b[i];
        if (c == '\t' || c == ' ') {
          continue;
        }
        if (c < 0x20 || c >= 0x7f) {
          return false; // controls and obs-text are Netty's to judge
        }
        valueEnd = i + 1;
      }
      switch (special(b, from, nameLength)) {
        case CONTENT_LENGTH -> {
          if (length >= 0) {
            return false;
          }
          length = canonicalDecimal(b, v, valueEnd - v);
          if (length < 0) {
            return false;
          }
        }
        case NETTYS -> {
          return false;
        }
        default -> {}
      }
      int f = (line - 1) << 2;
      fields[f] = from;
      fields[f + 1] = nameLength;
      fields[f + 2] = v;
      fields[f + 3] = valueEnd - v;
    }
    fieldCount = lines - 1;
    contentLength = length;
    return true;
  }

  /** The scanned head was read into its request (or left to Netty's decoder): drops its bytes. */
  void done() {
    head = kept;
  }

  /** Bytes of the scanned head: what the decoder consumes once the request is built. */
  int headLength() {
    return headLength;
  }

  /** The scanned head's {@code Content-Length}, or -1 without one. */
  long contentLength() {
    return contentLength;
  }

  HttpMethod method() {
    return method;
  }

  HttpVersion version() {
    return version;
  }

  /** The request target, the previous one's string when the bytes are the same. */
  String target() {
    String last = lastTarget;
    if (last != null
        && (repeated
            || (previousTargetValid
                ? sameBytes(targetStart, targetLength, previousTargetStart, previousTargetLength)
                : sameBytes(last, targetStart, targetLength)))) {
      return last;
    }
    previousTargetValid = false;
    return lastTarget = latin1(targetStart, targetLength);
  }

  /**
   * Adds the scanned fields to {@code headers}, in order. To a {@link KeptHeaders} without its
   * validators: a plain head's names are tokens and its values visible ASCII, SP and HT, trimmed,
   * which they accept.
   */
  void addFields(HttpHeaders headers) {
    KeptHeaders checked = headers instanceof KeptHeaders r ? r : null;
    int comparable = previousValid && !repeated ? previousFields : 0;
    if (!repeated) {
      previousValid = false; // the strings change below
    }
    for (int i = 0; i < fieldCount; i++) {
      AsciiString name;
      String value;
      AsciiString given = givenNames[i];
      String last = lastValues[i];
      if (repeated && given != null && last != null) {
        name = given;
        value = last;
      } else {
        int f = i << 2;
        boolean before = i < comparable;
        name = givenNames[i] = name(i, fields[f], fields[f + 1], before);
        value = lastValues[i] = value(i, fields[f + 2], fields[f + 3], before);
      }
      if (checked != null) {
        checked.addChecked(name, value);
      } else {
        headers.add(name, value);
      }
    }
    if (!repeated && head == next) {
      next = kept;
      kept = head;
      System.arraycopy(fields, 0, previous, 0, fieldCount << 2);
      previousFields = fieldCount;
      previousTargetStart = targetStart;
      previousTargetLength = targetLength;
      previousTargetValid = true; // target() read this head's before its fields
      previousValid = true;
      repeatable = headLength;
    }
  }

  /** Field {@code i}'s name; {@code before}: the previous head had a field {@code i}. */
  private AsciiString name(int i, int start, int length, boolean before) {
    AsciiString given = givenNames[i];
    int p = i << 2;
    if (before && given != null && sameBytes(start, length, previous[p], previous[p + 1])) {
      return given;
    }
    AsciiString shared = names.find(head, start, length);
    if (shared != null) {
      return shared;
    }
    AsciiString last = lastNames[i];
    if (last != null && last.length() == length && sameBytes(last, start)) {
      return last;
    }
    return lastNames[i] = new AsciiString(head, start, length, true);
  }

  /** Field {@code i}'s value; {@code before}: the previous head had a field {@code i}. */
  private String value(int i, int start, int length, boolean before) {
    if (length == 0) {
      return "";
    }
    String last = lastValues[i];
    int p = (i << 2) + 2;
    if (last != null
        && (before
            ? sameBytes(start, length, previous[p], previous[p + 1])
            : sameBytes(last, start, length))) {
      return last;
    }
    return latin1(start, length);
  }

  private String latin1(int start, int length) {
    return new String(head, start, length, StandardCharsets.ISO_8859_1);
  }

  /** Whether the head's bytes at {@code start} are the previous head's at {@code from}. */
  private boolean sameBytes(int start, int length, int from, int fromLength) {
    return length == fromLength
        && Arrays.equals(head, start, start + length, kept, from, from + length);
  }

  private boolean sameBytes(String s, int start, int length) {
    if (s.length() != length) {
      return false;
    }
    byte[] b = head;
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) != (char) (b[start + i] & 0xff)) {
        return false;
      }
    }
    return true;
  }

  private boolean sameBytes(AsciiString s, int start) {
    byte[] own = s.array();
    int offset = s.arrayOffset();
    byte[] b = head;
    for (int i = s.length() - 1; i >= 0; i--) {
      if (own[offset + i] != b[start + i]) {
        return false;
      }
    }
    return true;
  }

  private static final int ORDINARY = 0;
  private static final int CONTENT_LENGTH = 1;
  private static final int NETTYS = 2;

  /** Whether a field name is one whose handling stays with Netty's decoder. */
  private static int special(byte[] b, int start, int length) {
    return switch (length) {
      case 14 -> spells(b, start, "content-length") ? CONTENT_LENGTH : ORDINARY;
      case 17 -> spells(b, start, "transfer-encoding") ? NETTYS : ORDINARY;
      case 6 -> spells(b, start, "expect") ? NETTYS : ORDINARY;
      case 7 -> spells(b, start, "upgrade") ? NETTYS : ORDINARY;
      case 18 ->
          spells(b, start, "sec-websocket-key1") || spells(b, start, "sec-websocket-key2")
              ? NETTYS
              : ORDINARY;
      default -> ORDINARY;
    };
  }

  private static @Nullable HttpMethod method(byte[] b, int length) {
    return switch (length) {
      case 3 -> is(b, "GET") ? HttpMethod.GET : is(b, "PUT") ? HttpMethod.PUT : null;
      case 4 -> is(b, "POST") ? HttpMethod.POST : is(b, "HEAD") ? HttpMethod.HEAD : null;
      case 5 -> is(b, "PATCH") ? HttpMethod.PATCH : is(b, "TRACE") ? HttpMethod.TRACE : null;
      case 6 -> is(b, "DELETE") ? HttpMethod.DELETE : null;
      case 7 ->
          is(b, "OPTIONS") ? HttpMethod.OPTIONS : is(b, "CONNECT") ? HttpMethod.CONNECT : null;
      default -> null;
    };
  }

  private static @Nullable HttpVersion version(byte[] b, int start) {
    if (b[start] != 'H'
        || b[start + 1] != 'T'
        || b[start + 2] != 'T'
        || b[start + 3] != 'P'
        || b[start + 4] != '/'
        || b[start + 5] != '1'
        || b[start + 6] != '.') {
      return null;
    }
    return switch (b[start + 7]) {
      case '1' -> HttpVersion.HTTP_1_1;
      case '0' -> HttpVersion.HTTP_1_0;
      default -> null;
    };
  }

  /** Whether the head starts with exactly {@code word} (case included). */
  private static boolean is(byte[] b, String word) {
    for (int i = 0; i < word.length(); i++) {
      if (b[i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
