package io.portico.plugins.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.portico.plugins.auth.AuthFailure;
import io.portico.spi.plugin.ConsumerSpec;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies signed JWTs with Nimbus against the configured algorithms, issuers and keys. Pure and
 * thread-safe: it never fetches; when a token needs keys of a JWKS that are not at hand it answers
 * {@link NeedKeys}, and the caller fetches them and calls {@link #verify(Parsed, JWKSet)} again.
 *
 * <p>The algorithm check comes first and uses the configured set only: Nimbus' {@link
 * JWSVerificationKeySelector} then selects keys of the algorithm's family, so an {@code HS256}
 * token is never checked with an RSA or EC public key, and {@code alg: none} never parses as a
 * signed token. The issuer is read from the unverified claims only to choose the keys; after the
 * signature, {@link DefaultJWTClaimsVerifier} checks {@code iss} exactly, {@code aud}, {@code exp}
 * and {@code nbf} with the leeway, and this class adds {@code iat} not in the future.
 */
final class JwtVerifier {

  /** A verification's answer. */
  sealed interface Result permits Valid, Invalid, NeedKeys {}

  /** A valid token, with the consumer it maps to (or null). */
  record Valid(JWTClaimsSet claims, @Nullable ConsumerSpec consumer, @Nullable String keyId)
      implements Result {}

  /**
   * Not a valid token, and why: for the access log only, never sent to the client unless the plugin
   * has {@code uniform-failures: false}.
   */
  record Invalid(AuthFailure failure) implements Result {

    static final Invalid MALFORMED = new Invalid(AuthFailure.JWT_MALFORMED);
    static final Invalid ALGORITHM = new Invalid(AuthFailure.JWT_ALGORITHM_NOT_ALLOWED);
    static final Invalid ISSUER = new Invalid(AuthFailure.JWT_ISSUER_NOT_ALLOWED);
    static final Invalid KID_UNKNOWN = new Invalid(AuthFailure.JWT_KID_UNKNOWN);
    static final Invalid NOT_YET_VALID = new Invalid(AuthFailure.JWT_NOT_YET_VALID);
    static final Invalid CONSUMER_UNKNOWN = new Invalid(AuthFailure.JWT_CONSUMER_UNKNOWN);
    static final Invalid INVALID = new Invalid(AuthFailure.JWT_INVALID);
  }

  /** The token's keys are in the JWKS at {@code uri}, which has no key for it yet. */
  record NeedKeys(URI uri, Parsed parsed) implements Result {}

  /** A token parsed, with the issuer and consumer its unverified claims point at. */
  record Parsed(
      SignedJWT jwt,
      JwtConfig.Issuer issuer,
      @Nullable ConsumerSpec consumer,
      @Nullable JWKSet ownKeys) {}

  /** The keys a verification may use, handed to Nimbus' key selector. */
  record Keys(JWKSet set) implements SecurityContext {}

  private final JwtConfig config;
  private final Clock clock;
  private final Map<String, JwtConfig.Issuer> issuers = new HashMap<>();
  private final Map<String, ConsumerKey> consumers;
  private final Map<String, DefaultJWTProcessor<Keys>> processors = new HashMap<>();

  /** A consumer mapped by its {@code credentials.jwt.key}, and its own keys (or null). */
  record ConsumerKey(ConsumerSpec consumer, @Nullable JWKSet keys) {}

  JwtVerifier(JwtConfig config, Map<String, ConsumerKey> consumers, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.consumers = Map.copyOf(consumers);
    for (JwtConfig.Issuer issuer : config.issuers()) {
      issuers.put(issuer.issuer(), issuer);
      processors.put(issuer.issuer(), processor(issuer.issuer()));
    }
  }

  private DefaultJWTProcessor<Keys> processor(String issuer) {
    DefaultJWTProcessor<Keys> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    p.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            config.algorithms(), (selector, keys) -> selector.select(keys.set())));
    Set<String> required = new HashSet<>(Set.of("iss"));
    if (config.requireExp()) {
      required.add("exp");
    }
    if (!config.audiences().isEmpty()) {
      required.add("aud");
    }
    DefaultJWTClaimsVerifier<Keys> claims =
        new DefaultJWTClaimsVerifier<>(
            config.audiences().isEmpty() ? null : config.audiences(),
            new JWTClaimsSet.Builder().issuer(issuer).build(),
            required,
            null) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, config.clockSkew().toSeconds()));
    p.setJWTClaimsSetVerifier(claims);
    return p;
  }

  /** Parses the token and verifies it when its keys are at hand ({@code cached}: a JWKS's keys). */
  Result verify(String token, java.util.function.Function<URI, JWKSet> cached) {
    SignedJWT jwt;
    JWTClaimsSet unverified;
    try {
      jwt = SignedJWT.parse(token);
      unverified = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      return Invalid.MALFORMED;
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!config.algorithms().contains(alg)) {
      return Invalid.ALGORITHM;
    }
    JwtConfig.Issuer issuer =
        unverified.getIssuer() == null ? null : issuers.get(unverified.getIssuer());
    if (issuer == null) {
      return Invalid.ISSUER;
    }
    ConsumerKey consumer = null;
    if (config.consumerClaim() != null) {
      Object claim = ClaimValues.lookup(unverified.getClaims(), config.consumerClaim());
      consumer = claim instanceof String s ? consumers.get(s) : null;
    }
    JWKSet own = consumer == null ? null : consumer.keys();
    Parsed parsed = new Parsed(jwt, issuer, consumer == null ? null : consumer.consumer(), own);
    if (own == null && issuer.keys() == null && issuer.jwksUrl() != null) {
      JWKSet keys = cached.apply(issuer.jwksUrl());
      if (keys == null || !hasKeyFor(parsed, keys)) {
        return new NeedKeys(issuer.jwksUrl(), parsed);
      }
      return verify(parsed, keys);
    }
    return verify(parsed, own != null ? own : issuer.keys());
  }

  /** Whether {@code keys} holds a key that could verify the token (by {@code kid} and type). */
  static boolean hasKeyFor(Parsed parsed, JWKSet keys) {
    JWKMatcher matcher = JWKMatcher.forJWSHeader(parsed.jwt().getHeader());
    return matcher != null && !new JWKSelector(matcher).select(keys).isEmpty();
  }

  /** Verifies a parsed token with {@code keys}. */
  Result verify(Parsed parsed, @Nullable JWKSet keys) {
    if (keys == null) {
      return Invalid.KID_UNKNOWN;
    }
    DefaultJWTProcessor<Keys> processor = processors.get(parsed.issuer().issuer());
    if (processor == null) {
      return Invalid.ISSUER;
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(parsed.jwt(), new Keys(keys));
    } catch (BadJOSEException | JOSEException | RuntimeException e) {
      return new Invalid(failureOf(e));
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(clock.instant().plus(config.clockSkew()))) {
      return Invalid.NOT_YET_VALID;
    }
    if (parsed.consumer() == null && config.requireConsumer()) {
      return Invalid.CONSUMER_UNKNOWN;
    }
    return new Valid(claims, parsed.consumer(), parsed.jwt().getHeader().getKeyID());
  }

  /**
   * Why Nimbus refused a token. Nimbus says it by exception type for an expired token and otherwise
   * only in the message, whose wording is stable across its versions; anything not recognised is
   * {@link AuthFailure#JWT_INVALID}.
   */
  static AuthFailure failureOf(Exception e) {
    if (e instanceof ExpiredJWTException) {
      return AuthFailure.JWT_EXPIRED;
    }
    if (e instanceof BadJWSException) {
      return AuthFailure.JWT_SIGNATURE_INVALID;
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("Expired JWT")) {
      return AuthFailure.JWT_EXPIRED;
    }
    if (message.contains("no matching key")) {
      return AuthFailure.JWT_KID_UNKNOWN;
    }
    if (message.contains("Invalid signature")) {
      return AuthFailure.JWT_SIGNATURE_INVALID;
    }
    if (message.startsWith("JWT before use time")) {
      return AuthFailure.JWT_NOT_YET_VALID;
    }
    if (message.startsWith("JWT aud claim") || message.startsWith("JWT missing required aud")) {
      return AuthFailure.JWT_AUDIENCE_NOT_ALLOWED;
    }
    if (message.startsWith("JWT missing required claims")) {
      return AuthFailure.JWT_CLAIM_MISSING;
    }
    if (message.contains("typ (type)")) {
      return AuthFailure.JWT_TYPE_NOT_ALLOWED;
    }
    if (message.startsWith("JWT iss claim")) {
      return AuthFailure.JWT_ISSUER_NOT_ALLOWED;
    }
    return AuthFailure.JWT_INVALID;
  }
}
