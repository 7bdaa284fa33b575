package io.portico.plugins.auth.token;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.portico.spi.plugin.Identity;
import java.util.List;
import java.util.Map;

/**
 * Forwards an authenticated {@link Identity} upstream in headers, after removing any copies the
 * client sent, so an upstream can trust them. Claim headers are set from the token's claims
 * (strings as they are, lists joined with commas, other values as JSON text).
 */
final class IdentityHeaders {

  static final AsciiString CONSUMER = AsciiString.cached("x-consumer-username");
  static final AsciiString CUSTOM_ID = AsciiString.cached("x-consumer-custom-id");
  static final AsciiString CREDENTIAL = AsciiString.cached("x-credential-identifier");
  static final AsciiString GROUPS = AsciiString.cached("x-consumer-groups");
  static final AsciiString ANONYMOUS = AsciiString.cached("x-anonymous-consumer");

  private static final List<AsciiString> FIXED =
      List.of(CONSUMER, CUSTOM_ID, CREDENTIAL, GROUPS, ANONYMOUS);

  private final Map<String, AsciiString> claimHeaders;

  /** {@code claimHeaders}: claim name to the header that carries it upstream. */
  IdentityHeaders(Map<String, AsciiString> claimHeaders) {
    this.claimHeaders = Map.copyOf(claimHeaders);
  }

  /** Removes every identity header the client may have sent. */
  void strip(HttpHeaders headers) {
    for (AsciiString name : FIXED) {
      headers.remove(name);
    }
    for (AsciiString name : claimHeaders.values()) {
      headers.remove(name);
    }
  }

  /** Strips client copies, then sets the identity's headers. */
  void forward(HttpHeaders headers, Identity identity, Map<String, Object> claims) {
    strip(headers);
    if (identity.consumer() != null) {
      headers.set(CONSUMER, identity.consumer());
    }
    if (identity.customId() != null) {
      headers.set(CUSTOM_ID, identity.customId());
    }
    if (identity.credentialId() != null) {
      headers.set(CREDENTIAL, identity.credentialId());
    }
    if (!identity.groups().isEmpty()) {
      headers.set(GROUPS, String.join(",", identity.groups()));
    }
    for (Map.Entry<String, AsciiString> e : claimHeaders.entrySet()) {
      String value = ClaimValues.text(claims.get(e.getKey()));
      if (value != null) {
        headers.set(e.getValue(), value);
      }
    }
  }
}
