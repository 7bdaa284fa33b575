package io.portico.upstream;

/**
 * A request head that carries header fields encoded beside its header map: lines of {@code name:
 * value CRLF}, which the HTTP/1.1 connection's encoder puts right after the map's fields, at every
 * write of the head (a retry's too). Fields that are the same for many requests (a connection's
 * forwarding fields) are then encoded once, and fields made per request (the request id, an
 * attempt's {@code Host}) go from their source straight into the head's bytes, instead of becoming
 * header entries and strings.
 *
 * <p>Only the HTTP/1.1 encoder ({@code UpstreamCodec}) writes them; whoever sets them on a head
 * makes sure that nothing else (an HTTP/2 stream, a copy of the head, a reader of its map) needs
 * them, or puts the fields into the map instead.
 *
 * <p>Ownership: the fields belong to the head's owner and are read on its event loop, during the
 * encoder's write of the head.
 */
public interface EncodedFields {

  /** The most bytes {@link #encodeFields} puts; 0 when the head carries no encoded fields. */
  int encodedFieldsLength();

  /**
   * Puts the encoded lines, each ending in CRLF, at {@code s[p]}, which has room for {@link
   * #encodedFieldsLength} bytes; returns the next position.
   */
  int encodeFields(byte[] s, int p);
}
