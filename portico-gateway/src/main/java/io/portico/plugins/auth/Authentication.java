package io.portico.plugins.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.Reply;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what an {@link Authenticator} found into the exchange's outcome, the same way for every
 * authentication plugin (key-auth, basic-auth, hmac-auth, mtls-auth, and token plugins such as
 * jwt). A scheme implements {@link AuthenticatorFactory}, whose {@code create} is:
 *
 * <pre>{@code
 * return new Authentication(name(), authenticator(config, context), settings(config), context)
 *     .plugin();
 * }</pre>
 *
 * <p>A plugin that cannot be an {@link AuthenticatorFactory} calls {@link #access} from its own
 * ACCESS method, or uses {@link #forward}, {@link #unauthorized}, {@link #forbidden} and {@link
 * #unavailable} directly (a scope check answering 403, for instance).
 *
 * <p>The flow of {@link #access}:
 *
 * <ol>
 *   <li>When an earlier authentication plugin on the route already established a (non-anonymous)
 *       {@link Identity}, the request passes untouched: several plugins configured with {@code
 *       anonymous} combine as "any of".
 *   <li>Client-supplied identity headers ({@link #IDENTITY_HEADERS}) are removed, so an upstream
 *       only ever sees the gateway's.
 *   <li>The authenticator runs. {@link AuthResult.Authenticated}: the identity is stored under
 *       {@link Identity#KEY}, forwarded in the identity headers (with the scheme's own headers and
 *       the result's), and with {@code hide-credentials} the credential is removed. {@link
 *       AuthResult.NoCredential}: the {@code anonymous} consumer is used when configured, an
 *       anonymous identity set by an earlier plugin is kept, otherwise 401. {@link
 *       AuthResult.Invalid}: 401 (an invalid credential never falls back to anonymous). {@link
 *       AuthResult.Forbidden}: 403, with the scheme's {@code insufficient_scope} challenge. {@link
 *       AuthResult.Unavailable}: 503, never 401. {@link AuthResult.Pending}: the exchange waits,
 *       and the result is applied on the exchange's event loop.
 * </ol>
 *
 * <p>Every refusal is an RFC 9457 problem and carries, as its {@link Reply#reason()}, the {@link
 * AuthFailure} code of why (the access log's {@code failure}: {@code jwt_expired}, {@code
 * key_unknown}, {@code acl_denied}); it is also logged at DEBUG with the request id. A 401 carries
 * the scheme's {@code WWW-Authenticate} challenge. With {@code uniform-failures} (the default)
 * every failed check gets the same 401 ({@code authentication-required}, the challenge without an
 * error code, the scheme's {@link Authenticator#requiredDetail()}: that a valid credential is
 * required and, for key-auth, where the route reads it), so that the answer tells a prober nothing;
 * without it, a presented credential that is not valid gets {@code invalid-credentials}, the RFC
 * 6750 {@code error} code the authenticator gave and the failure's {@link AuthFailure#detail()}
 * ("The token has expired."), which names the class of failure and never a value of the credential.
 *
 * <p>What a credential says reaches the upstream only through {@link HeaderValues}: the identity
 * headers, the scheme's own headers and the result's are staged, checked and copied together, and a
 * value that cannot be a header value makes the credential a failed check (401), never a 500.
 *
 * <p>Immutable and thread-safe; {@link #access} runs on the exchange's event loop.
 */
public final class Authentication {

  private static final AsciiString CONSUMER_NAME =
      AsciiString.cached(Identity.CONSUMER_NAME_HEADER);
  private static final AsciiString CONSUMER_CUSTOM_ID =
      AsciiString.cached(Identity.CONSUMER_CUSTOM_ID_HEADER);
  private static final AsciiString CONSUMER_GROUPS =
      AsciiString.cached(Identity.CONSUMER_GROUPS_HEADER);
  private static final AsciiString CREDENTIAL_ID =
      AsciiString.cached(Identity.CREDENTIAL_ID_HEADER);
  private static final AsciiString ANONYMOUS_CONSUMER =
      AsciiString.cached(Identity.ANONYMOUS_CONSUMER_HEADER);

  /**
   * The headers that carry the identity upstream ({@link Identity#UPSTREAM_HEADERS}, the one list
   * of them); client-supplied copies are always removed.
   */
  public static final List<AsciiString> IDENTITY_HEADERS =
      Identity.UPSTREAM_HEADERS.stream().map(AsciiString::cached).toList();

  private static final Logger log = LoggerFactory.getLogger(Authentication.class);

  private final Authenticator authenticator;
  private final boolean hideCredentials;
  private final boolean uniformFailures;
  private final @Nullable Identity anonymous;

  /**
   * @throws IllegalArgumentException when {@code settings.anonymous()} names no consumer
   */
  public Authentication(
      String method, Authenticator authenticator, AuthSettings settings, PluginContext context) {
    this.authenticator = authenticator;
    this.hideCredentials = settings.hideCredentials();
    this.uniformFailures = settings.uniformFailures();
    this.anonymous = Consumers.anonymous(settings, context, method);
  }

  /** A plugin that runs {@link #access} in ACCESS. */
  public Plugin plugin() {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(Phase.ACCESS);
      }

      @Override
      public Set<String> identityHeaders() {
        return authenticator.ownHeaders();
      }

      @Override
      public Outcome access(Exchange exchange) {
        return Authentication.this.access(exchange);
      }
    };
  }

  /** Authenticates the request; see the class description. */
  public Outcome access(Exchange exchange) {
    authenticator.stripOwnHeaders(exchange.request().headers());
    Identity existing = exchange.get(Identity.KEY);
    if (existing != null && !existing.anonymous()) {
      return Outcome.proceed();
    }
    stripIdentityHeaders(exchange.request().headers());
    return apply(exchange, authenticator.authenticate(exchange), existing);
  }

  private Outcome apply(Exchange exchange, AuthResult result, @Nullable Identity existing) {
    if (result instanceof AuthResult.Authenticated ok) {
      HttpHeaders staged = HeaderValues.staging();
      forward(ok.identity(), staged);
      authenticator.forwardOwnHeaders(ok.identity(), staged);
      ok.headers().forEach(staged::set);
      if (!HeaderValues.applyTo(staged, exchange.request().headers())) {
        log.debug(
            "request {}: the credential carries a value that cannot be a header; refused",
            exchange.requestId());
        return refuse(
            exchange, AuthResult.invalid("invalid_token", AuthFailure.CREDENTIAL_UNFORWARDABLE));
      }
      exchange.set(Identity.KEY, ok.identity());
      if (hideCredentials) {
        authenticator.hideCredentials(exchange);
      }
      return Outcome.proceed();
    }
    if (result instanceof AuthResult.Pending pending) {
      return Outcome.await(
          pending
              .stage()
              .exceptionally(e -> failedCheck(exchange, e))
              .thenApplyAsync(r -> apply(exchange, r, existing), exchange.eventLoop()));
    }
    if (result instanceof AuthResult.Invalid invalid) {
      return refuse(exchange, invalid);
    }
    if (result instanceof AuthResult.Forbidden forbidden) {
      logRefusal(exchange, forbidden.failure());
      Reply reply = forbidden(forbidden.failure());
      return forbidden.challenge() == null
          ? reply
          : reply.withHeader(HttpHeaderNames.WWW_AUTHENTICATE, forbidden.challenge());
    }
    if (result instanceof AuthResult.Unavailable unavailable) {
      logRefusal(exchange, unavailable.failure());
      return unavailable(unavailable.failure());
    }
    if (anonymous != null) {
      accept(exchange, anonymous);
      return Outcome.proceed();
    }
    if (existing != null) {
      HttpHeaders staged = HeaderValues.staging();
      forward(existing, staged);
      HeaderValues.applyTo(staged, exchange.request().headers());
      return Outcome.proceed();
    }
    return refuse(exchange, AuthResult.none());
  }

  /**
   * What a check whose asynchronous work failed (a thread pool refusing work, an unexpected
   * exception) becomes: 503, never 401.
   */
  private static AuthResult failedCheck(Exchange exchange, Throwable e) {
    Throwable cause =
        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause()
            : e;
    boolean overloaded = cause instanceof java.util.concurrent.RejectedExecutionException;
    if (!overloaded) {
      log.warn("request {}: the credential check failed", exchange.requestId(), cause);
    }
    return new AuthResult.Unavailable(
        overloaded ? AuthFailure.AUTH_OVERLOADED : AuthFailure.AUTH_ERROR);
  }

  private static void logRefusal(Exchange exchange, AuthFailure failure) {
    if (log.isDebugEnabled()) {
      log.debug("request {}: refused, {}", exchange.requestId(), failure.code());
    }
  }

  /**
   * The 401 for a failed check: with {@code uniform-failures}, the same answer whatever failed (no
   * credential, an empty one, a wrong one, one whose values cannot be forwarded), so that the
   * answer tells a prober nothing; otherwise {@code invalid-credentials} with the scheme's error
   * code for a credential that was presented.
   */
  private Reply refuse(Exchange exchange, AuthResult failure) {
    AuthFailure why =
        failure instanceof AuthResult.Invalid invalid ? invalid.failure() : authenticator.missing();
    logRefusal(exchange, why);
    if (failure instanceof AuthResult.Invalid invalid && !uniformFailures) {
      return unauthorized(List.of(authenticator.challenge(invalid.error())), why);
    }
    return required(List.of(authenticator.challenge(null)), authenticator.requiredDetail())
        .withReason(why.code());
  }

  /** Stores a configured identity (anonymous) and forwards it; its values were checked at load. */
  private static void accept(Exchange exchange, Identity identity) {
    exchange.set(Identity.KEY, identity);
    HttpHeaders staged = HeaderValues.staging();
    forward(identity, staged);
    HeaderValues.applyTo(staged, exchange.request().headers());
  }

  /** Removes every identity header from {@code headers}. */
  public static void stripIdentityHeaders(HttpHeaders headers) {
    for (AsciiString name : IDENTITY_HEADERS) {
      headers.remove(name);
    }
  }

  /** Sets the identity headers of {@code identity} (absent values are not sent). */
  public static void forward(Identity identity, HttpHeaders headers) {
    stripIdentityHeaders(headers);
    if (identity.consumer() != null) {
      headers.set(CONSUMER_NAME, identity.consumer());
    }
    if (identity.customId() != null) {
      headers.set(CONSUMER_CUSTOM_ID, identity.customId());
    }
    if (!identity.groups().isEmpty()) {
      headers.set(CONSUMER_GROUPS, String.join(", ", identity.groups()));
    }
    if (identity.credentialId() != null) {
      headers.set(CREDENTIAL_ID, identity.credentialId());
    }
    if (identity.anonymous()) {
      headers.set(ANONYMOUS_CONSUMER, "true");
    }
  }

  /**
   * 401 for a presented credential that is not valid, told why ({@code uniform-failures: false}):
   * {@code invalid-credentials} with {@code failure}'s detail and reason, and one {@code
   * WWW-Authenticate} header per challenge.
   */
  public static Reply unauthorized(List<String> challenges, AuthFailure failure) {
    Reply reply =
        Reply.problem(
                HttpResponseStatus.UNAUTHORIZED,
                "invalid-credentials",
                "Unauthorized",
                failure.detail())
            .withReason(failure.code());
    for (String challenge : challenges) {
      reply = reply.withHeader(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    }
    return reply;
  }

  /**
   * 401 with one {@code WWW-Authenticate} header per challenge, without a reason (the caller adds
   * one with {@link Reply#withReason}).
   *
   * @param invalid whether a credential was presented (and was not valid)
   */
  public static Reply unauthorized(List<String> challenges, boolean invalid) {
    if (!invalid) {
      return required(challenges, Authenticator.REQUIRED);
    }
    Reply reply =
        Reply.problem(
            HttpResponseStatus.UNAUTHORIZED,
            "invalid-credentials",
            "Unauthorized",
            "The credential is not valid.");
    for (String challenge : challenges) {
      reply = reply.withHeader(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    }
    return reply;
  }

  /**
   * 401 {@code authentication-required} with {@code detail} (an {@link
   * Authenticator#requiredDetail()}) and one {@code WWW-Authenticate} header per challenge, without
   * a reason.
   */
  private static Reply required(List<String> challenges, String detail) {
    Reply reply =
        Reply.problem(
            HttpResponseStatus.UNAUTHORIZED, "authentication-required", "Unauthorized", detail);
    for (String challenge : challenges) {
      reply = reply.withHeader(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    }
    return reply;
  }

  /** 403: the caller is known but not allowed; {@code failure} says what it lacks. */
  public static Reply forbidden(AuthFailure failure) {
    return Reply.problem(
            HttpResponseStatus.FORBIDDEN,
            "forbidden",
            "Forbidden",
            "You are not allowed to use this resource.")
        .withReason(failure.code());
  }

  /**
   * 503: an authentication dependency is not available; never a 401. {@code failure} names which.
   */
  public static Reply unavailable(AuthFailure failure) {
    return Reply.problem(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "authentication-unavailable",
            "Service Unavailable",
            "Authentication is temporarily unavailable.")
        .withHeader(HttpHeaderNames.RETRY_AFTER, "5")
        .withReason(failure.code());
  }

  /** Quotes a challenge parameter value (RFC 9110 quoted-string). */
  public static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
