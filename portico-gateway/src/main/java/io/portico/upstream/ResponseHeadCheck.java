package io.portico.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * What an HTTP/1.1 upstream's response head must be before anything of it is relayed; a head that
 * fails is {@link CallFailure#PROTOCOL_ERROR} (502) and its connection is closed, never reused.
 *
 * <ul>
 *   <li>well-formed by the codec (the version {@code HTTP/1.1} or {@code HTTP/1.0}, lines, names,
 *       values, lengths);
 *   <li>at most {@link #MAX_FIELDS} fields (as Envoy's {@code max_headers_count});
 *   <li>a status code RFC 9110 defines, 100 to 599: relayed, {@code 2000}, {@code 099} or {@code
 *       20} would reach the client malformed;
 *   <li>no {@code 101} to a request that asked for no upgrade: the connection would be left in a
 *       protocol nothing reads;
 *   <li>{@code Transfer-Encoding}, when present, is {@code chunked} alone, in one field, without
 *       {@code Content-Length} (as nginx): {@code identity} with a length is read by its length
 *       here and until the close by a strict reader, and relayed the client would get both.
 * </ul>
 *
 * <p>Stateless; one map lookup on a head that passes with no {@code Transfer-Encoding}.
 */
final class ResponseHeadCheck {

  /** Most header fields a response head may carry. */
  static final int MAX_FIELDS = 100;

  private ResponseHeadCheck() {}

  /**
   * @param upgrade whether the request asked to switch protocols
   * @return what is wrong with {@code response}, for the debug log, or null when it may be relayed
   */
  static @Nullable String refusal(HttpResponse response, boolean upgrade) {
    if (response.decoderResult().isFailure()) {
      return "a malformed response head";
    }
    HttpHeaders h = response.headers();
    if (h.size() > MAX_FIELDS) {
      return "more than " + MAX_FIELDS + " response header fields";
    }
    int code = response.status().code();
    if (code < 100 || code > 599 || (code == 101 && !upgrade)) {
      return "the status " + code + " to this request";
    }
    String te = h.get(HttpHeaderNames.TRANSFER_ENCODING);
    if (te != null
        && (!te.trim().equalsIgnoreCase("chunked")
            || h.contains(HttpHeaderNames.CONTENT_LENGTH)
            || h.getAll(HttpHeaderNames.TRANSFER_ENCODING).size() != 1)) {
      return "Transfer-Encoding: "
          + te
          + (h.contains(HttpHeaderNames.CONTENT_LENGTH) ? " with Content-Length" : "");
    }
    return null;
  }
}
