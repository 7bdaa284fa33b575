package io.portico.upstream;

import org.jspecify.annotations.Nullable;

/**
 * A request head that carries header fields already encoded, beside its header map: lines of {@code
 * name: value CRLF} in the bytes of the wire, which the HTTP/1.1 connection's encoder writes right
 * after the map's fields, at every write of the head (a retry's too). Fields that are the same for
 * many requests (a connection's forwarding fields) are then encoded once instead of becoming header
 * entries and strings per request.
 *
 * <p>Only the HTTP/1.1 encoder ({@code UpstreamCodec}) writes them; whoever sets them on a head
 * makes sure that nothing else (an HTTP/2 stream, a copy of the head, a reader of its map) needs
 * them, or puts the fields into the map instead.
 *
 * <p>Ownership: the lines belong to the head's owner and are read on its event loop; the array is
 * never changed once set, so it may be shared by heads.
 */
public interface EncodedFields {

  /** The encoded lines, each ending in CRLF, or null when the head carries none. */
  byte @Nullable [] encodedFields();
}
