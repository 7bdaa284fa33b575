package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.portico.upstream.HeadBytes;

/**
 * Writes the status line and header block of a response going to a client with the bulk copies of
 * {@link HeadBytes}, where Netty's {@code HttpResponseEncoder} writes a direct buffer byte by byte
 * (the version, the status's bytes, two short writes and a byte per character for every header).
 *
 * <p>The bytes are those of Netty's encoder: {@code version SP code SP reason CRLF}, each as ASCII
 * with a character above U+00FF as {@code ?} (Netty writes a known status's prepared bytes, which
 * are the same, and any other status's code, a space and its reason phrase as US-ASCII), then each
 * field as {@code name: value CRLF}. Which fields the head has (framing, {@code HEAD}, {@code
 * CONNECT}, 1xx, 204, 304) is decided before, by the encoder; this class only lays out bytes.
 *
 * <p>Ownership: one instance per client codec, used on the connection's event loop only (its {@link
 * HeadBytes} array holds bytes during one call, or from a status line to its header block).
 */
final class ResponseHeadWriter {

  private final HeadBytes bytes = new HeadBytes();

  /**
   * Lays out {@code version SP code SP reason CRLF}, held for the header block: {@link
   * #writeHeaders} writes both into {@code buf} in one copy.
   */
  void writeInitialLine(ByteBuf buf, HttpResponse response) {
    String version = response.protocolVersion().text();
    HttpResponseStatus status = response.status();
    AsciiString code = status.codeAsText();
    String reason = status.reasonPhrase();
    byte[] s = bytes.room(version.length() + code.length() + reason.length() + 4);
    int p = HeadBytes.putString(s, 0, version);
    s[p++] = ' ';
    p = HeadBytes.putAscii(s, p, code);
    s[p++] = ' ';
    p = HeadBytes.putString(s, p, reason);
    p = HeadBytes.putCrlf(s, p);
    bytes.hold(buf, s, p);
  }

  /**
   * Writes the status line held for {@code buf}, then each header as {@code name: value CRLF}, in
   * the order the head holds them, in one copy.
   */
  void writeHeaders(HttpHeaders headers, ByteBuf buf) {
    bytes.writeHeaders(headers, buf);
  }
}
