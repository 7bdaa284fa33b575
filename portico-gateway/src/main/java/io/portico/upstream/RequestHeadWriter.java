package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * Writes the request line and header block of a request going upstream with the bulk copies of
 * {@link HeadBytes}, where Netty's encoder writes a direct buffer byte by byte (two short writes
 * and a byte per character for every header).
 *
 * <p>The bytes are those of Netty's {@code HttpRequestEncoder}. A request line this class does not
 * lay out itself (a target that is not an origin form of ASCII characters: an absolute form, which
 * Netty may give a {@code /}, or one with other characters, which Netty writes as UTF-8) is left to
 * the encoder ({@link #writeInitialLine} returns false).
 *
 * <p>Ownership: one instance per connection codec, used on the connection's event loop only (its
 * {@link HeadBytes} array holds bytes during one call, or from a request line to its header block).
 */
final class RequestHeadWriter {

  /** The largest array kept between heads. */
  static final int KEEP_LIMIT = HeadBytes.KEEP_LIMIT;

  private final HeadBytes bytes = new HeadBytes();

  /**
   * Lays out {@code METHOD SP target SP version CRLF} for an origin-form ASCII target, held for the
   * header block: {@link #writeHeaders} writes both into {@code buf} in one copy.
   *
   * @return false, with nothing written or held, when the encoder must write the line itself
   */
  boolean writeInitialLine(ByteBuf buf, HttpRequest request) {
    bytes.drop();
    String uri = request.uri();
    int uriLength = uri.length();
    if (uriLength == 0 || uri.charAt(0) != '/') {
      return false;
    }
    AsciiString method = request.method().asciiName();
    String version = request.protocolVersion().text();
    byte[] s = bytes.room(method.length() + uriLength + version.length() + 4);
    int p = HeadBytes.putAscii(s, 0, method);
    s[p++] = ' ';
    for (int i = 0; i < uriLength; i++) {
      char c = uri.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      s[p++] = (byte) c;
    }
    s[p++] = ' ';
    p = HeadBytes.putString(s, p, version);
    p = HeadBytes.putCrlf(s, p);
    bytes.hold(buf, s, p);
    return true;
  }

  /**
   * Writes the request line held for {@code buf} (if {@link #writeInitialLine} laid one out), each
   * header as {@code name: value CRLF} in the order the head holds them, then {@code encoded} (a
   * head's {@link EncodedFields}, or null), in one copy.
   */
  void writeHeaders(HttpHeaders headers, @Nullable EncodedFields encoded, ByteBuf buf) {
    bytes.writeHeaders(headers, encoded, buf);
  }
}
