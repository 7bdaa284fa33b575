package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the request line and header block of a request going upstream with bulk copies: the bytes
 * are laid out in a byte array of the connection's own and copied into the encoder's pooled buffer
 * in one {@code writeBytes}, where Netty's encoder writes a direct buffer byte by byte through its
 * bounds and reference checks (two short writes and a byte per character for every header).
 *
 * <p>The bytes are those of Netty's {@code HttpRequestEncoder}: names and values as ASCII, a
 * character above U+00FF as {@code ?}, {@code ": "} and CRLF around them. A request line this class
 * does not lay out itself (a target that is not an origin form of ASCII characters: an absolute
 * form, which Netty may give a {@code /}, or one with other characters, which Netty writes as
 * UTF-8) is left to the encoder ({@link #writeInitialLine} returns false). Header values are
 * checked when they are set on the head, not here.
 *
 * <p>Ownership: one instance per connection codec, used on the connection's event loop only. The
 * array holds bytes only during one call; it grows for a larger head and is kept up to {@link
 * #KEEP_LIMIT} bytes, so a connection that once sent a large head does not hold it.
 */
final class RequestHeadWriter {

  /** The largest array kept between heads. */
  static final int KEEP_LIMIT = 8192;

  private byte[] scratch = new byte[512];

  /**
   * Writes {@code METHOD SP target SP version CRLF} for an origin-form ASCII target.
   *
   * @return false, with nothing written, when the encoder must write the line itself
   */
  boolean writeInitialLine(ByteBuf buf, HttpRequest request) {
    AsciiString method = request.method().asciiName();
    String uri = request.uri();
    String version = request.protocolVersion().text();
    int uriLength = uri.length();
    if (uriLength == 0 || uri.charAt(0) != '/') {
      return false;
    }
    byte[] s = room(0, method.length() + uriLength + version.length() + 4);
    int p = putAscii(s, 0, method);
    s[p++] = ' ';
    for (int i = 0; i < uriLength; i++) {
      char c = uri.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      s[p++] = (byte) c;
    }
    s[p++] = ' ';
    p = putString(s, p, version);
    s[p++] = '\r';
    s[p++] = '\n';
    buf.writeBytes(s, 0, p);
    keep(s);
    return true;
  }

  /** Writes each header as {@code name: value CRLF}, in the order the head holds them. */
  void writeHeaders(HttpHeaders headers, ByteBuf buf) {
    byte[] s = scratch;
    int p = 0;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> header = it.next();
      CharSequence name = header.getKey();
      CharSequence value = header.getValue();
      int need = p + name.length() + value.length() + 4;
      if (need > s.length) {
        s = grow(s, p, need);
      }
      p = put(s, p, name);
      s[p++] = ':';
      s[p++] = ' ';
      p = put(s, p, value);
      s[p++] = '\r';
      s[p++] = '\n';
    }
    buf.writeBytes(s, 0, p);
    keep(s);
  }

  /** The array with room for {@code need} bytes, its first {@code used} bytes kept. */
  private byte[] room(int used, int need) {
    byte[] s = scratch;
    return need <= s.length ? s : grow(s, used, need);
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

  private static int put(byte[] s, int p, CharSequence text) {
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

  private static int putAscii(byte[] s, int p, AsciiString ascii) {
    int n = ascii.length();
    System.arraycopy(ascii.array(), ascii.arrayOffset(), s, p, n);
    return p + n;
  }

  private static int putString(byte[] s, int p, String string) {
    for (int i = 0, n = string.length(); i < n; i++) {
      char c = string.charAt(i);
      s[p++] = c > 0xFF ? (byte) '?' : (byte) c;
    }
    return p;
  }
}
