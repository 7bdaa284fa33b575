package io.portico.plugins.auth.token;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Reply;

/**
 * The refusals of the token plugins, following RFC 6750: 401 with a {@code Bearer} challenge when
 * the token is missing or invalid, 403 {@code insufficient_scope}, and 503 when an authorization
 * dependency (a JWKS or introspection endpoint) cannot be reached. The problem body never says why
 * a token failed beyond the error code.
 */
final class AuthReplies {

  private final String realm;

  AuthReplies(String realm) {
    this.realm = realm;
  }

  /** No token: a challenge without an error code (RFC 6750 section 3.1). */
  Reply missing() {
    return Reply.problem(
            HttpResponseStatus.UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            "The request needs a bearer token.")
        .header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"");
  }

  /** The request carries more than one token or a malformed Authorization header. */
  Reply invalidRequest() {
    return Reply.problem(
            HttpResponseStatus.BAD_REQUEST,
            "invalid-request",
            "Bad Request",
            "The request carries a malformed or repeated credential.")
        .header(
            HttpHeaderNames.WWW_AUTHENTICATE,
            "Bearer realm=\"" + realm + "\", error=\"invalid_request\"");
  }

  Reply invalidToken() {
    return Reply.problem(
            HttpResponseStatus.UNAUTHORIZED,
            "invalid-token",
            "Unauthorized",
            "The bearer token is not valid.")
        .header(
            HttpHeaderNames.WWW_AUTHENTICATE,
            "Bearer realm=\"" + realm + "\", error=\"invalid_token\"");
  }

  /** A valid token without the scopes or roles the route needs. */
  Reply insufficientScope(String scope) {
    String challenge = "Bearer realm=\"" + realm + "\", error=\"insufficient_scope\"";
    if (!scope.isEmpty()) {
      challenge += ", scope=\"" + scope + "\"";
    }
    return Reply.problem(
            HttpResponseStatus.FORBIDDEN,
            "insufficient-scope",
            "Forbidden",
            "The bearer token lacks a required scope.")
        .header(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
  }

  /** The authorization server or its keys could not be reached: never a 401. */
  Reply unavailable() {
    return Reply.problem(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "auth-unavailable",
            "Service Unavailable",
            "The token could not be checked; try again later.")
        .header(HttpHeaderNames.RETRY_AFTER, "5");
  }
}
