package io.portico.upstream;

import static io.portico.upstream.HeadFieldBytes.canonicalDecimal;
import static io.portico.upstream.HeadFieldBytes.isToken;
import static io.portico.upstream.HeadFieldBytes.isVisible;
import static io.portico.upstream.HeadFieldBytes.spells;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads a complete response head of the plain kind straight from the receive buffer, without the
 * line copies, per-field strings and status-line words of Netty's decoder: the common case of
 * {@link UpstreamCodec}'s decoder, which hands everything else to Netty's.
 *
 * <p>The plain kind is a strict subset of what Netty's {@code HttpResponseDecoder} accepts, and for
 * it this gives what Netty gives: the whole head is in the buffer; every line ends in CRLF; the
 * status line is {@code HTTP/1.1} or {@code HTTP/1.0}, one SP, a three-digit code from 200 to 599,
 * one SP and a reason phrase of visible ASCII and SP that starts and ends with a visible character,
 * within {@code maxInitialLineLength}; every field line is a token, a colon, optional SP/HT and a
 * value of visible ASCII, SP and HT (trimmed of SP/HT at both ends, as Netty trims it), the head
 * within {@code maxHeaderSize}; at most one {@code Content-Length}, in canonical decimal, or, in
 * HTTP/1.1, one {@code Transfer-Encoding} whose value is {@code chunked} alone (the codec reads
 * such a body itself when its bytes have the strict form of {@link PlainChunks}); and no other
 * {@code Transfer-Encoding} and no {@code Upgrade}, whose handling stays Netty's. Anything else (an
 * interim 1xx response, a status line without a reason phrase, a line starting with white space, a
 * bare LF, a control or non-ASCII byte, a head split across reads, a limit reached) is not read
 * here: {@link #scan} answers false and Netty's decoder reads the same bytes, with its own
 * refusals.
 *
 * <p>What it allocates: nothing for what repeats on a connection. A field value, an uncommon field
 * name and an unusual status whose bytes equal those the previous response had at the same place
 * are that response's (immutable) objects again; the version, the standard statuses and the common
 * names are {@link SharedResponseWords}' constants. What is new in a response (a {@code Date} once
 * a second) is a new string. The head's bytes are copied into one array per connection, of at most
 * 4 KiB; a larger head gets an array of its own, dropped once its response is built.
 *
 * <p>One per connection, used on its event loop only.
 */
final class PlainResponseHeadParser {

  /** Field lines a plain head may have; one with more is Netty's. */
  static final int MAX_FIELDS = 64;

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  /** Heads up to this size are copied into the array the parser keeps; larger into their own. */
  private static final int KEPT_HEAD = 4096;

  private final int maxInitialLineLength;
  private final int maxHeaderSize;

  /** The array kept for heads' bytes; grows to the largest plain head seen, up to KEPT_HEAD. */
  private byte[] kept = new byte[256];

  /** The scanned head's bytes, copied out of the buffer: {@link #kept}, or a larger head's own. */
  private byte[] head = kept;

  /** Per field: name start, name length, value start, value length (in {@link #head}). */
  private final int[] fields = new int[MAX_FIELDS * 4];

  /** The line ends (index of each LF, relative to the head's start). */
  private final int[] lineEnds = new int[MAX_FIELDS + 2];

  // what the last scan found
  private int headLength;
  private int fieldCount;
  private long contentLength;
  private boolean chunked;
  private HttpVersion version = HttpVersion.HTTP_1_1;
  private int code;
  private int reasonStart;
  private int reasonLength;

  // the previous response's objects, reused while the bytes repeat
  private @Nullable HttpResponseStatus lastStatus;
  private final @Nullable AsciiString[] lastNames = new AsciiString[MAX_FIELDS];
  private final @Nullable String[] lastValues = new String[MAX_FIELDS];

  PlainResponseHeadParser(int maxInitialLineLength, int maxHeaderSize) {
    this.maxInitialLineLength = maxInitialLineLength;
    this.maxHeaderSize = maxHeaderSize;
  }

  /**
   * Whether {@code in} starts with a complete plain head; if so, it is read (not consumed: {@link
   * #headLength}) and the accessors describe it. Reads nothing from {@code in} otherwise.
   */
  boolean scan(ByteBuf in) {
    int start = in.readerIndex();
    int lines = findLines(in, start);
    if (lines < 0) {
      return false;
    }
    int length = headLength;
    if (length <= kept.length) {
      head = kept;
    } else if (length <= KEPT_HEAD) {
      head = kept = new byte[Math.min(KEPT_HEAD, Math.max(length, kept.length * 2))];
    } else {
      head = new byte[length]; // dropped by done(): a connection keeps at most KEPT_HEAD
    }
    in.getBytes(start, head, 0, length);
    return statusLine(lineEnds[0] - 1) && fieldLines(lines);
  }

  /**
   * The number of lines before the blank one, with {@link #lineEnds} and {@link #headLength} set,
   * or -1 when the head is not complete and plain as far as its line breaks go.
   */
  private int findLines(ByteBuf in, int start) {
    int end = in.writerIndex();
    // the whole head, status line and CRLFs included, within the limit of its field lines alone
    long bound = (long) start + maxHeaderSize;
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
          return -1; // a blank line before the status line: Netty skips it
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

  /** The status line, {@code [0, end)} of {@link #head}. */
  private boolean statusLine(int end) {
    // "HTTP/1.x 200 R": a reason of one character at least; the line with its CRLF in the limit
    if (end < 14 || end + 2 > maxInitialLineLength) {
      return false;
    }
    byte[] b = head;
    String v = SharedResponseWords.version(b, 0, 8);
    if (v == null || b[8] != ' ' || b[12] != ' ') {
      return false;
    }
    int c = SharedResponseWords.code(b, 9, 3);
    if (c < 200) {
      return false; // interim responses (and their upgrades) are Netty's
    }
    if (!isVisible(b[13]) || !isVisible(b[end - 1])) {
      return false;
    }
    for (int i = 14; i < end - 1; i++) {
      if (b[i] != ' ' && !isVisible(b[i])) {
        return false;
      }
    }
    version = v.equals("HTTP/1.1") ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
    code = c;
    reasonStart = 13;
    reasonLength = end - 13;
    return true;
  }

  /** The field lines 1 to {@code lines - 1}; false at anything not plain. */
  private boolean fieldLines(int lines) {
    byte[] b = head;
    long length = -1;
    boolean chunked = false;
    for (int line = 1; line < lines; line++) {
      int from = lineEnds[line - 1] + 1;
      int end = lineEnds[line] - 1;
      int colon = from;
      while (colon < end && b[colon] != ':') {
        if (!isToken(b[colon])) {
          return false; // also a line starting with SP or HT (a fold), or SP before the colon
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
        if (!isVisible(c)) {
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
        case TRANSFER_ENCODING -> {
          // one field whose value is exactly "chunked" (any case); lists and codings are Netty's
          if (chunked || valueEnd - v != 7 || !spells(b, v, "chunked")) {
            return false;
          }
          chunked = true;
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
    if (chunked && (length >= 0 || version != HttpVersion.HTTP_1_1)) {
      return false; // framed two ways, or chunked in HTTP/1.0: Netty's
    }
    fieldCount = lines - 1;
    contentLength = length;
    this.chunked = chunked;
    return true;
  }

  /** The scanned head was read into its response (or left to Netty's decoder): drops its bytes. */
  void done() {
    head = kept;
  }

  /** Bytes of the scanned head: what the decoder consumes once the response is built. */
  int headLength() {
    return headLength;
  }

  /** Whether the scanned head's body is chunked ({@code Transfer-Encoding: chunked}). */
  boolean chunked() {
    return chunked;
  }

  /** The scanned head's {@code Content-Length}, or -1 without one. */
  long contentLength() {
    return contentLength;
  }

  HttpVersion version() {
    return version;
  }

  /** The status code, from 200 to 599. */
  int code() {
    return code;
  }

  /**
   * The status: Netty's constant for a standard reason phrase, the previous response's status when
   * its code and reason are the same, else a new one (as {@link HttpResponseStatus#valueOf(int,
   * String)} makes it).
   */
  HttpResponseStatus status() {
    String standard = SharedResponseWords.reason(code, head, reasonStart, reasonLength);
    if (standard != null) {
      return HttpResponseStatus.valueOf(code, standard);
    }
    HttpResponseStatus last = lastStatus;
    if (last != null
        && last.code() == code
        && sameBytes(last.reasonPhrase(), reasonStart, reasonLength)) {
      return last;
    }
    return lastStatus = HttpResponseStatus.valueOf(code, latin1(reasonStart, reasonLength));
  }

  /** Adds the scanned fields to {@code headers}, in order. */
  void addFields(HttpHeaders headers) {
    for (int i = 0; i < fieldCount; i++) {
      int f = i << 2;
      headers.add(name(i, fields[f], fields[f + 1]), value(i, fields[f + 2], fields[f + 3]));
    }
  }

  private AsciiString name(int i, int start, int length) {
    AsciiString shared = SharedResponseWords.headerName(head, start, length);
    if (shared != null) {
      return shared;
    }
    AsciiString last = lastNames[i];
    if (last != null && last.length() == length && sameBytes(last, start)) {
      return last;
    }
    return lastNames[i] = new AsciiString(head, start, length, true);
  }

  private String value(int i, int start, int length) {
    if (length == 0) {
      return "";
    }
    String last = lastValues[i];
    if (last != null && sameBytes(last, start, length)) {
      return last;
    }
    return lastValues[i] = latin1(start, length);
  }

  private String latin1(int start, int length) {
    return new String(head, start, length, StandardCharsets.ISO_8859_1);
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
  private static final int TRANSFER_ENCODING = 3;

  /** Whether a field name is one whose handling stays with Netty's decoder. */
  private static int special(byte[] b, int start, int length) {
    return switch (length) {
      case 14 -> spells(b, start, "content-length") ? CONTENT_LENGTH : ORDINARY;
      case 17 -> spells(b, start, "transfer-encoding") ? TRANSFER_ENCODING : ORDINARY;
      case 7 -> spells(b, start, "upgrade") ? NETTYS : ORDINARY;
      default -> ORDINARY;
    };
  }
}
