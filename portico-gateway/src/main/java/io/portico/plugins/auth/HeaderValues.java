package io.portico.plugins.auth;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place where what a credential says (a consumer's name, a token's claims, an introspection
 * or UserInfo answer) becomes upstream request headers.
 *
 * <p>An authentication first writes its headers into a {@link #staging()} set, which accepts any
 * value; {@link #applyTo} then checks every value and copies them all, or none:
 *
 * <ul>
 *   <li>a value with a control character (CR, LF, NUL, any other below 0x20 but HTAB, or DEL)
 *       cannot be a header value: nothing is copied, and the caller refuses the credential (401),
 *       since a signed token or an authorization server that hands out such a value is not to be
 *       trusted with the request, and writing it would either fail the exchange (500) or split the
 *       header;
 *   <li>a value with characters beyond ASCII ({@code "José"}, {@code "Łukasz"}) is sent as its
 *       UTF-8 bytes (RFC 9110 allows such bytes as obs-text), so that two different values never
 *       reach the upstream as the same bytes, as they would if each character were cut to a byte;
 *   <li>anything else is sent as it is.
 * </ul>
 *
 * Stateless.
 */
public final class HeaderValues {

  private HeaderValues() {}

  /** An empty header set that accepts any value, to stage an authentication's headers in. */
  public static HttpHeaders staging() {
    return DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
  }

  /**
   * Copies every header of {@code staged} into {@code request} (replacing values of the same name),
   * encoded as described above; copies nothing and returns false when a value cannot be a header
   * value.
   */
  public static boolean applyTo(HttpHeaders staged, HttpHeaders request) {
    for (Map.Entry<String, String> e : staged) {
      if (!fits(e.getValue())) {
        return false;
      }
    }
    Set<String> names = new LinkedHashSet<>(staged.names());
    for (String name : names) {
      List<String> values = staged.getAll(name);
      request.remove(name);
      for (String value : values) {
        request.add(name, encode(value));
      }
    }
    return true;
  }

  /** Whether {@code value} can be a header value: no control character but HTAB. */
  public static boolean fits(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  /** {@code value} as it is when ASCII, else as its UTF-8 bytes. */
  public static CharSequence encode(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) > 0x7E) {
        return new AsciiString(value.getBytes(StandardCharsets.UTF_8), false);
      }
    }
    return value;
  }
}
