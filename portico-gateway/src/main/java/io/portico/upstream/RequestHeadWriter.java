package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;

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
 * {@link HeadBytes} array holds bytes only during one call).
 */
final class RequestHeadWriter {

  /** The largest array kept between heads. */
  static final int KEEP_LIMIT = HeadBytes.KEEP_LIMIT;

  private final HeadBytes bytes = new HeadBytes();

  /**
   * Writes {@code METHOD SP target SP version CRLF} for an origin-form ASCII target.
   *
   * @return false, with nothing written, when the encoder must write the line itself
   */
  boolean writeInitialLine(ByteBuf buf, HttpRequest request) {
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
    bytes.write(buf, s, p);
    return true;
  }

  /** Writes each header as {@code name: value CRLF}, in the order the head holds them. */
  void writeHeaders(HttpHeaders headers, ByteBuf buf) {
    bytes.writeHeaders(headers, buf);
  }

  /** Writes a head's {@link EncodedFields}. */
  void writeEncoded(EncodedFields fields, ByteBuf buf) {
    byte[] s = bytes.room(fields.encodedFieldsLength());
    bytes.write(buf, s, fields.encodeFields(s, 0));
  }
}
