package io.portico.plugins.auth;

/**
 * The closed catalogue of why the built-in authentication plugins refuse a request. Each value's
 * {@link #code()} is the {@link io.portico.spi.plugin.Reply#reason() reason} of the refusal: the
 * access log's {@code failure} field and the {@code failure} tag of the route's request counter, so
 * the set is bounded. The client sees {@link #detail()} only with {@code uniform-failures: false};
 * the detail names the class of failure and never a value from the credential.
 */
public enum AuthFailure {
  // no credential of the scheme (multi-auth: of any of its schemes)
  CREDENTIAL_MISSING("credential_missing", "A valid credential is required."),
  KEY_MISSING("key_missing", "A valid credential is required."),
  BASIC_MISSING("basic_missing", "A valid credential is required."),
  HMAC_MISSING("hmac_missing", "A valid credential is required."),
  TOKEN_MISSING("token_missing", "A valid credential is required."),
  CLIENT_CERTIFICATE_MISSING("client_certificate_missing", "A valid credential is required."),
  // key-auth
  KEY_MALFORMED("key_malformed", "The API key is empty or sent more than once."),
  KEY_UNKNOWN("key_unknown", "The API key is not known."),
  KEY_EXPIRED("key_expired", "The API key has expired."),
  // basic-auth
  BASIC_MALFORMED("basic_malformed", "The Basic credentials are malformed."),
  BASIC_USER_UNKNOWN("basic_user_unknown", "The username or password is not valid."),
  BASIC_PASSWORD_INVALID("basic_password_invalid", "The username or password is not valid."),
  // hmac-auth
  HMAC_MALFORMED("hmac_malformed", "The HMAC signature header is malformed."),
  HMAC_ALGORITHM_NOT_ALLOWED(
      "hmac_algorithm_not_allowed", "The signature algorithm is not accepted."),
  HMAC_HEADERS_NOT_SIGNED(
      "hmac_headers_not_signed", "The signature does not cover the required headers."),
  HMAC_DATE_SKEW("hmac_date_skew", "The signed date is missing or too far from the current time."),
  HMAC_DIGEST_MALFORMED("hmac_digest_malformed", "The Digest header is missing or malformed."),
  HMAC_USER_UNKNOWN("hmac_user_unknown", "The signature is not valid."),
  HMAC_SIGNATURE_INVALID("hmac_signature_invalid", "The signature is not valid."),
  HMAC_DIGEST_MISMATCH("hmac_digest_mismatch", "The body does not match its Digest header."),
  // mtls-auth
  CLIENT_CERTIFICATE_UNKNOWN(
      "client_certificate_unknown", "The client certificate is not mapped to a consumer."),
  // bearer tokens (jwt, oauth2-introspection, openid-connect)
  TOKEN_MALFORMED("token_malformed", "The bearer token is empty or sent more than once."),
  JWT_MALFORMED("jwt_malformed", "The token is not a well-formed signed JWT."),
  JWT_ALGORITHM_NOT_ALLOWED("jwt_algorithm_not_allowed", "The token's algorithm is not accepted."),
  JWT_ISSUER_NOT_ALLOWED("jwt_issuer_not_allowed", "The token's issuer is not accepted."),
  JWT_KID_UNKNOWN("jwt_kid_unknown", "The token's signing key is not known."),
  JWT_SIGNATURE_INVALID("jwt_signature_invalid", "The token's signature is not valid."),
  JWT_EXPIRED("jwt_expired", "The token has expired."),
  JWT_NOT_YET_VALID("jwt_not_yet_valid", "The token is not valid yet."),
  JWT_AUDIENCE_NOT_ALLOWED("jwt_audience_not_allowed", "The token's audience is not accepted."),
  JWT_CLAIM_MISSING("jwt_claim_missing", "The token lacks a required claim."),
  JWT_TYPE_NOT_ALLOWED("jwt_type_not_allowed", "The token's type is not accepted."),
  JWT_CONSUMER_UNKNOWN("jwt_consumer_unknown", "The token names no known consumer."),
  JWT_INVALID("jwt_invalid", "The token is not valid."),
  INTROSPECTION_INACTIVE("introspection_inactive", "The token is not active."),
  INTROSPECTION_AUDIENCE_NOT_ALLOWED(
      "introspection_audience_not_allowed", "The token's audience is not accepted."),
  USERINFO_REJECTED("userinfo_rejected", "The identity provider refused the token."),
  SESSION_MISSING("session_missing", "A valid credential is required."),
  LOGIN_FAILED("login_failed", "The sign-in could not be completed."),
  /** A value the credential carries cannot be forwarded as a header. */
  CREDENTIAL_UNFORWARDABLE(
      "credential_unforwardable", "The credential carries a value that cannot be forwarded."),
  // 403
  SCOPE_INSUFFICIENT("scope_insufficient", "You are not allowed to use this resource."),
  ROLE_INSUFFICIENT("role_insufficient", "You are not allowed to use this resource."),
  /** acl on a route where no earlier plugin authenticated the caller. */
  IDENTITY_MISSING("identity_missing", "A valid credential is required."),
  ACL_DENIED("acl_denied", "You are not allowed to use this resource."),
  // 503
  JWKS_UNAVAILABLE("jwks_unavailable", "Authentication is temporarily unavailable."),
  INTROSPECTION_UNREACHABLE(
      "introspection_unreachable", "Authentication is temporarily unavailable."),
  PROVIDER_UNAVAILABLE("provider_unavailable", "Authentication is temporarily unavailable."),
  USERINFO_UNAVAILABLE("userinfo_unavailable", "Authentication is temporarily unavailable."),
  AUTH_OVERLOADED("auth_overloaded", "Authentication is temporarily unavailable."),
  AUTH_ERROR("auth_error", "Authentication is temporarily unavailable.");

  private final String code;
  private final String detail;

  AuthFailure(String code, String detail) {
    this.code = code;
    this.detail = detail;
  }

  /** The reason code: the access log's {@code failure} value. */
  public String code() {
    return code;
  }

  /** What the client is told with {@code uniform-failures: false}. */
  public String detail() {
    return detail;
  }
}
