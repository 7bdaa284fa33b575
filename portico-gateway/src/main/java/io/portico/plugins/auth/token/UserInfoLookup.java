package io.portico.plugins.auth.token;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.BearerTokenError;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The OpenID Connect UserInfo of access tokens, for {@code openid-connect}'s {@code userinfo}
 * forwarding: answers kept by the SHA-256 of the token (the token itself is never kept), each until
 * its own expiry, in a least-recently-used map of bounded size; on a miss, one UserInfo request
 * (built and parsed with the Nimbus SDK, sent without blocking on the shared JDK HTTP client) per
 * token however many requests wait for it.
 *
 * <p>A response is kept for {@code max-ttl}, a refusal of the token for {@code negative-ttl}, both
 * never beyond the token's expiry; an outage is never kept, so the next request asks again.
 *
 * <p>Thread-safe: lookups and inserts hold the map's lock for the operation only; a fetch completes
 * on the HTTP client's threads.
 */
final class UserInfoLookup {

  /** What the endpoint said about a token. */
  enum Kind {
    /** A UserInfo response; {@link Answer#header()} and {@link Answer#subject()} are set. */
    FOUND,
    /** The token was refused (401, {@code invalid_token}). */
    INVALID_TOKEN,
    /** The token lacks the scope the endpoint needs (403, {@code insufficient_scope}). */
    INSUFFICIENT_SCOPE,
    /** No usable answer: unreachable, timed out, a server error, an unreadable response. */
    UNAVAILABLE
  }

  /**
   * An answer.
   *
   * @param kind what the endpoint said
   * @param header the response's JSON, base64-encoded: the upstream header's value
   * @param subject the response's {@code sub}
   */
  record Answer(Kind kind, @Nullable String header, @Nullable String subject) {
    static final Answer INVALID = new Answer(Kind.INVALID_TOKEN, null, null);
    static final Answer SCOPE = new Answer(Kind.INSUFFICIENT_SCOPE, null, null);
    static final Answer UNAVAILABLE = new Answer(Kind.UNAVAILABLE, null, null);
  }

  private record Entry(Answer answer, long expiresAtNanos) {}

  private final HttpClient client;
  private final Duration timeout;
  private final long maxTtlNanos;
  private final long negativeTtlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Entry> answers;
  private final ConcurrentHashMap<String, CompletableFuture<Answer>> inFlight =
      new ConcurrentHashMap<>();

  UserInfoLookup(
      OidcConfig.UserInfo config, HttpClient client, Duration timeout, LongSupplier nanoClock) {
    this.client = client;
    this.timeout = timeout;
    this.maxTtlNanos = config.maxTtl().toNanos();
    this.negativeTtlNanos = config.negativeTtl().toNanos();
    this.nanoClock = nanoClock;
    int maxEntries = config.maxEntries();
    this.answers =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** The cache key of {@code accessToken}. */
  static String keyOf(String accessToken) {
    return IntrospectionCache.keyOf(accessToken);
  }

  /** The live answer for {@code key}, or null. */
  @Nullable Answer cached(String key) {
    long now = nanoClock.getAsLong();
    synchronized (answers) {
      Entry e = answers.get(key);
      if (e != null && now - e.expiresAtNanos() >= 0) {
        answers.remove(key);
        return null;
      }
      return e == null ? null : e.answer();
    }
  }

  /**
   * Asks {@code endpoint} about {@code accessToken} (or joins a request already under way for it)
   * and keeps the answer. Never completes exceptionally.
   *
   * @param key {@link #keyOf} the token
   * @param lifetime how long the token is still valid, or null when unknown
   */
  CompletableFuture<Answer> fetch(
      URI endpoint, String accessToken, String key, @Nullable Duration lifetime) {
    CompletableFuture<Answer> mine = new CompletableFuture<>();
    CompletableFuture<Answer> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    CompletableFuture<HTTPResponse> response;
    try {
      HTTPRequest request =
          new UserInfoRequest(endpoint, new BearerAccessToken(accessToken)).toHTTPRequest();
      response = NimbusHttp.send(client, request, timeout);
    } catch (RuntimeException e) {
      response = CompletableFuture.completedFuture(null);
    }
    response
        .thenApply(UserInfoLookup::answer)
        .exceptionally(e -> Answer.UNAVAILABLE)
        .thenAccept(
            answer -> {
              keep(key, answer, lifetime);
              inFlight.remove(key, mine);
              mine.complete(answer);
            });
    return mine;
  }

  private void keep(String key, Answer answer, @Nullable Duration lifetime) {
    long ttl =
        switch (answer.kind()) {
          case FOUND -> maxTtlNanos;
          case INVALID_TOKEN, INSUFFICIENT_SCOPE -> negativeTtlNanos;
          case UNAVAILABLE -> 0;
        };
    if (lifetime != null) {
      ttl = Math.min(ttl, lifetime.toNanos());
    }
    if (ttl <= 0) {
      return;
    }
    Entry entry = new Entry(answer, nanoClock.getAsLong() + ttl);
    synchronized (answers) {
      answers.put(key, entry);
    }
  }

  /** What a UserInfo response means; a signed or encrypted (JWT) response is not used. */
  static Answer answer(HTTPResponse http) {
    if (http == null) {
      return Answer.UNAVAILABLE;
    }
    int status = http.getStatusCode();
    try {
      UserInfoResponse parsed = UserInfoResponse.parse(http);
      if (parsed.indicatesSuccess()) {
        UserInfo info = parsed.toSuccessResponse().getUserInfo();
        if (status != 200 || info == null || info.getSubject() == null) {
          return Answer.UNAVAILABLE;
        }
        String json = info.toJSONString();
        return new Answer(
            Kind.FOUND,
            Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)),
            info.getSubject().getValue());
      }
      ErrorObject error = parsed.toErrorResponse().getErrorObject();
      String code = error == null ? null : error.getCode();
      if (status == 401 || BearerTokenError.INVALID_TOKEN.getCode().equals(code)) {
        return Answer.INVALID;
      }
      if (status == 403 || BearerTokenError.INSUFFICIENT_SCOPE.getCode().equals(code)) {
        return Answer.SCOPE;
      }
      return Answer.UNAVAILABLE;
    } catch (ParseException | RuntimeException e) {
      return status == 401 ? Answer.INVALID : Answer.UNAVAILABLE;
    }
  }

  int size() {
    synchronized (answers) {
      return answers.size();
    }
  }
}
