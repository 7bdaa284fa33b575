package io.portico.upstream;

/**
 * Why a lease closed when the upstream is known not to have processed the request: an HTTP/2 stream
 * above a {@code GOAWAY}'s last stream id, one reset with {@code REFUSED_STREAM}, or one that could
 * not be opened on a connection already going away. Such a request may be retried whatever its
 * method, if its body can be sent again.
 */
public final class UnprocessedException extends Exception {

  public UnprocessedException(String message) {
    super(message, null, false, false);
  }
}
