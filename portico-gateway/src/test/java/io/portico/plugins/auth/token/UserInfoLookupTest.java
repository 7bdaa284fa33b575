package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.sun.net.httpserver.HttpServer;
import io.netty.util.AsciiString;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a UserInfo response means, and how long an answer is kept: never beyond the token's lifetime
 * or {@code max-ttl}, refusals for {@code negative-ttl}, outages not at all, in a bounded map.
 */
class UserInfoLookupTest {

  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile int status = 200;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/userinfo",
        exchange -> {
          calls.incrementAndGet();
          byte[] body =
              (status == 200 ? "{\"sub\":\"alice\",\"email\":\"a@example.com\"}" : "{}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    client = HttpClient.newHttpClient();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/userinfo");
  }

  private UserInfoLookup lookup(Duration maxTtl, int maxEntries) {
    return new UserInfoLookup(
        new OidcConfig.UserInfo(
            AsciiString.of("x-userinfo"), maxTtl, Duration.ofSeconds(10), maxEntries),
        client,
        Duration.ofSeconds(5),
        now::get);
  }

  private static UserInfoLookup.Answer get(
      UserInfoLookup lookup, URI endpoint, String token, Duration lifetime) throws Exception {
    return lookup
        .fetch(endpoint, token, UserInfoLookup.keyOf(token), lifetime)
        .get(10, TimeUnit.SECONDS);
  }

  private static HTTPResponse response(int status, String type, String body, String challenge)
      throws Exception {
    HTTPResponse r = new HTTPResponse(status);
    if (type != null) {
      r.setContentType(type);
    }
    if (challenge != null) {
      r.setHeader("WWW-Authenticate", challenge);
    }
    r.setBody(body);
    return r;
  }

  @Test
  void aJsonResponseIsForwardedBase64EncodedWithItsSubject() throws Exception {
    UserInfoLookup.Answer a =
        UserInfoLookup.answer(
            response(200, "application/json", "{\"sub\":\"alice\",\"name\":\"Alice\"}", null));

    assertThat(a.kind()).isEqualTo(UserInfoLookup.Kind.FOUND);
    assertThat(a.subject()).isEqualTo("alice");
    assertThat(new String(Base64.getDecoder().decode(a.header()), StandardCharsets.UTF_8))
        .contains("\"sub\":\"alice\"")
        .contains("\"name\":\"Alice\"");
  }

  @Test
  void refusalsAndOutagesAreToldApart() throws Exception {
    assertThat(
            UserInfoLookup.answer(
                    response(401, null, "", "Bearer realm=\"x\", error=\"invalid_token\""))
                .kind())
        .isEqualTo(UserInfoLookup.Kind.INVALID_TOKEN);
    assertThat(UserInfoLookup.answer(response(401, null, "", null)).kind())
        .isEqualTo(UserInfoLookup.Kind.INVALID_TOKEN);
    assertThat(
            UserInfoLookup.answer(
                    response(
                        403, null, "", "Bearer error=\"insufficient_scope\", scope=\"openid\""))
                .kind())
        .isEqualTo(UserInfoLookup.Kind.INSUFFICIENT_SCOPE);
    assertThat(UserInfoLookup.answer(null).kind()).isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
    assertThat(UserInfoLookup.answer(response(500, "application/json", "{}", null)).kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
    assertThat(
            UserInfoLookup.answer(
                    response(400, "application/json", "{\"error\":\"invalid_request\"}", null))
                .kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
  }

  @Test
  void responsesWithoutASubjectOrSignedAsAJwtAreNotUsed() throws Exception {
    assertThat(
            UserInfoLookup.answer(response(200, "application/json", "{\"name\":\"x\"}", null))
                .kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
    assertThat(
            UserInfoLookup.answer(
                    response(200, "application/jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", null))
                .kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
    assertThat(UserInfoLookup.answer(response(200, "text/html", "<html>", null)).kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
  }

  @Test
  void anAnswerIsKeptNoLongerThanTheTokenLives() throws Exception {
    UserInfoLookup lookup = lookup(Duration.ofMinutes(5), 100);
    String key = UserInfoLookup.keyOf("t1");

    assertThat(get(lookup, endpoint(), "t1", Duration.ofSeconds(2)).kind())
        .isEqualTo(UserInfoLookup.Kind.FOUND);
    now.addAndGet(Duration.ofMillis(1999).toNanos());
    assertThat(lookup.cached(key)).isNotNull();
    now.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(lookup.cached(key)).isNull();
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void anAnswerIsKeptAtMostMaxTtl() throws Exception {
    UserInfoLookup lookup = lookup(Duration.ofSeconds(30), 100);
    get(lookup, endpoint(), "t1", null);
    get(lookup, endpoint(), "t2", Duration.ofHours(1));
    now.addAndGet(Duration.ofSeconds(30).toNanos());

    assertThat(lookup.cached(UserInfoLookup.keyOf("t1"))).isNull();
    assertThat(lookup.cached(UserInfoLookup.keyOf("t2"))).isNull();
  }

  @Test
  void refusalsAreKeptForTheNegativeTtlAndOutagesNotAtAll() throws Exception {
    UserInfoLookup lookup = lookup(Duration.ofMinutes(5), 100);
    status = 401;
    assertThat(get(lookup, endpoint(), "revoked", null).kind())
        .isEqualTo(UserInfoLookup.Kind.INVALID_TOKEN);
    assertThat(lookup.cached(UserInfoLookup.keyOf("revoked"))).isNotNull();
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(lookup.cached(UserInfoLookup.keyOf("revoked"))).isNull();

    status = 503;
    assertThat(get(lookup, endpoint(), "t", null).kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
    assertThat(lookup.cached(UserInfoLookup.keyOf("t"))).isNull();
    assertThat(lookup.size()).isZero();
  }

  @Test
  void theMapHoldsAtMostMaxEntriesAndNeverTheToken() throws Exception {
    UserInfoLookup lookup = lookup(Duration.ofMinutes(5), 2);
    for (String t : new String[] {"t1", "t2", "t3"}) {
      get(lookup, endpoint(), t, null);
    }

    assertThat(lookup.size()).isEqualTo(2);
    assertThat(lookup.cached(UserInfoLookup.keyOf("t1"))).isNull();
    assertThat(lookup.cached(UserInfoLookup.keyOf("t3"))).isNotNull();
    assertThat(UserInfoLookup.keyOf("t3")).doesNotContain("t3").hasSize(43);
  }

  @Test
  void anUnreachableEndpointIsAnOutage() throws Exception {
    UserInfoLookup lookup = lookup(Duration.ofMinutes(5), 10);
    server.stop(0);

    assertThat(get(lookup, endpoint(), "t", null).kind())
        .isEqualTo(UserInfoLookup.Kind.UNAVAILABLE);
  }
}
