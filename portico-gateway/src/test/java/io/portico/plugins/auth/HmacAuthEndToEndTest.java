package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpMethod;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * hmac-auth over real sockets: a correctly signed request passes, and a wrong signature, an old
 * date, an altered signed header, an unsigned date or a missing digest are refused with 401. With
 * {@code validate-request-body} the body is compared with its signed digest (SHA-256 or SHA-512): a
 * tampered body is refused with 401 and never reaches the origin, a body over {@code max-body-size}
 * with 413.
 */
class HmacAuthEndToEndTest {

  private static final String SECRET = "alice-hmac-secret-0123456789";

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                groups: [ signers ]
                credentials:
                  hmac-auth: { username: alice, secret: "%s" }
            routes:
              - name: signed
                paths: [ /signed ]
                service: backend
                strip-prefix: true
                plugins:
                  hmac-auth: { clock-skew: 60s, enforce-headers: [ request-line ], hide-credentials: true }
              - name: digest
                paths: [ /digest ]
                service: backend
                strip-prefix: true
                plugins:
                  hmac-auth: { validate-request-body: true }
              - name: digest-small
                paths: [ /digest-small ]
                service: backend
                strip-prefix: true
                plugins:
                  hmac-auth: { validate-request-body: true, max-body-size: 1k }
            """
                .formatted(env.origin().authority(), SECRET));
  }

  private static String sign(String secret, String signingString) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return Base64.getEncoder()
        .encodeToString(mac.doFinal(signingString.getBytes(StandardCharsets.UTF_8)));
  }

  private static String authorization(String headers, String signature) {
    return "hmac username=\"alice\", algorithm=\"hmac-sha256\", headers=\""
        + headers
        + "\", signature=\""
        + signature
        + "\"";
  }

  /** Sends a raw request and returns the status code. */
  private static int send(String target, String... headerLines) throws Exception {
    StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: test\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    request.append("\r\n");
    try (RawClient raw = gw.raw()) {
      String response = raw.send(request.toString()).readUntil("\r\n\r\n", 5000);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  private static String digest(String algorithm, byte[] body) throws Exception {
    return algorithm
        + "="
        + Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(body));
  }

  /** The headers of a POST to {@code target} whose signature covers its date and digest. */
  private static String[] signedPost(String target, String digest) throws Exception {
    String date = now();
    String signature =
        sign(SECRET, "date: " + date + "\nPOST " + target + " HTTP/1.1\ndigest: " + digest);
    return new String[] {
      "Date: " + date,
      "Digest: " + digest,
      "Authorization: " + authorization("date request-line digest", signature)
    };
  }

  /**
   * Sends a raw POST with a Content-Length body on a connection the gateway closes after its
   * response, and returns the whole response.
   */
  private static String post(String target, byte[] body, String... headerLines) throws Exception {
    StringBuilder head =
        new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (String line : headerLines) {
      head.append(line).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    try (RawClient raw = gw.raw()) {
      raw.send(head.toString()).send(body);
      return raw.readAvailable(5000);
    }
  }

  private static String originSees(byte[] body) throws Exception {
    return body.length
        + " "
        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
  }

  private static String now() {
    return DateFormatter.format(new Date());
  }

  @Test
  void aCorrectlySignedRequestPassesAndTheSignatureIsHidden() throws Exception {
    String date = now();
    String signature = sign(SECRET, "date: " + date + "\nGET /signed/hello HTTP/1.1");
    assertThat(
            send(
                "/signed/hello",
                "Date: " + date,
                "Authorization: " + authorization("date request-line", signature)))
        .isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("alice");
    assertThat(env.origin().lastRequest().headers().contains("authorization")).isFalse();
  }

  @Test
  void aWrongSignatureOrSecretIsRefused() throws Exception {
    String date = now();
    String wrong =
        sign("another-secret-0123456789", "date: " + date + "\nGET /signed/hello HTTP/1.1");
    assertThat(
            send(
                "/signed/hello",
                "Date: " + date,
                "Authorization: " + authorization("date request-line", wrong)))
        .isEqualTo(401);
    assertThat(
            send(
                "/signed/hello",
                "Date: " + date,
                "Authorization: " + authorization("date request-line", "bm90IGEgc2lnbmF0dXJl")))
        .isEqualTo(401);
  }

  @Test
  void aRequestSignedOutsideTheClockSkewIsRefused() throws Exception {
    String old = DateFormatter.format(new Date(System.currentTimeMillis() - 120_000));
    String signature = sign(SECRET, "date: " + old + "\nGET /signed/hello HTTP/1.1");
    assertThat(
            send(
                "/signed/hello",
                "Date: " + old,
                "Authorization: " + authorization("date request-line", signature)))
        .isEqualTo(401);
  }

  @Test
  void aReplayWithAnAlteredSignedPartIsRefused() throws Exception {
    String date = now();
    String signature = sign(SECRET, "date: " + date + "\nGET /signed/hello HTTP/1.1");
    String later = DateFormatter.format(new Date(System.currentTimeMillis() + 1000));
    assertThat(
            send(
                "/signed/hello",
                "Date: " + later,
                "Authorization: " + authorization("date request-line", signature)))
        .isEqualTo(401);
    assertThat(
            send(
                "/signed/hello?admin=true",
                "Date: " + date,
                "Authorization: " + authorization("date request-line", signature)))
        .isEqualTo(401);
  }

  @Test
  void anUnsignedFreshDateDoesNotRescueAnOldSignedOne() throws Exception {
    String old = DateFormatter.format(new Date(System.currentTimeMillis() - 120_000));
    String signature = sign(SECRET, "date: " + old + "\nGET /signed/hello HTTP/1.1");
    assertThat(
            send(
                "/signed/hello",
                "Date: " + old,
                "X-Date: " + now(),
                "Authorization: " + authorization("date request-line", signature)))
        .isEqualTo(401);
  }

  @Test
  void aSignatureThatLeavesOutAnEnforcedHeaderIsRefused() throws Exception {
    String date = now();
    String signature = sign(SECRET, "date: " + date);
    assertThat(
            send(
                "/signed/hello",
                "Date: " + date,
                "Authorization: " + authorization("date", signature)))
        .isEqualTo(401);
  }

  @Test
  void bodyValidationRequiresASignedWellFormedDigest() throws Exception {
    String date = now();
    String digest =
        "SHA-256="
            + Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
    String signature = sign(SECRET, "date: " + date + "\ndigest: " + digest);
    assertThat(
            send(
                "/digest/hello",
                "Date: " + date,
                "Digest: " + digest,
                "Authorization: " + authorization("date digest", signature)))
        .isEqualTo(200);
    String unsigned = sign(SECRET, "date: " + date);
    assertThat(
            send(
                "/digest/hello",
                "Date: " + date,
                "Digest: " + digest,
                "Authorization: " + authorization("date", unsigned)))
        .isEqualTo(401);
    assertThat(send("/digest/hello", "Date: " + date)).isEqualTo(401);
  }

  @Test
  void aBodyMatchingItsSignedSha256DigestReachesTheOrigin() throws Exception {
    byte[] body = "{\"amount\": 125, \"currency\": \"EUR\"}".getBytes(StandardCharsets.UTF_8);
    String response =
        post("/digest/sha256", body, signedPost("/digest/sha256", digest("SHA-256", body)));

    assertThat(response).startsWith("HTTP/1.1 200").contains(originSees(body));
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("alice");
  }

  @Test
  void aTamperedBodyIsRefusedWith401AndNeverReachesTheOrigin() throws Exception {
    byte[] signed = "{\"amount\": 125}".getBytes(StandardCharsets.UTF_8);
    byte[] tampered = "{\"amount\": 925}".getBytes(StandardCharsets.UTF_8);
    int before = env.origin().requestCount();
    String response =
        post("/digest/sha256", tampered, signedPost("/digest/sha256", digest("SHA-256", signed)));

    assertThat(response)
        .startsWith("HTTP/1.1 401")
        .contains("www-authenticate: hmac realm=\"portico\"")
        .contains("authentication-required")
        .doesNotContain("invalid-credentials");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void aSha512DigestIsComparedWithTheBody() throws Exception {
    byte[] body = new byte[700];
    new java.util.Random(7).nextBytes(body);
    byte[] other = body.clone();
    other[699] ^= 1;
    int before = env.origin().requestCount();

    String matching =
        post("/digest/sha256", body, signedPost("/digest/sha256", digest("SHA-512", body)));
    String mismatching =
        post("/digest/sha256", other, signedPost("/digest/sha256", digest("SHA-512", body)));

    assertThat(matching).startsWith("HTTP/1.1 200").contains(originSees(body));
    assertThat(mismatching).startsWith("HTTP/1.1 401");
    assertThat(env.origin().requestCount()).isEqualTo(before + 1);
  }

  @Test
  void aChunkedBodyIsComparedWithItsDigest() throws Exception {
    byte[] body = "part one, part two".getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST /digest/sha256 HTTP/1.1\r\nHost: test\r\n");
    for (String line : signedPost("/digest/sha256", digest("SHA-256", body))) {
      head.append(line).append("\r\n");
    }
    head.append("Transfer-Encoding: chunked\r\n\r\n");
    try (RawClient raw = gw.raw()) {
      raw.send(head.toString()).send("9\r\npart one,\r\n");
      Thread.sleep(50);
      raw.send("9\r\n part two\r\n0\r\n\r\n");
      String response = raw.readUntil(originSees(body), 5000);

      assertThat(response).startsWith("HTTP/1.1 200").contains(originSees(body));
    }
    assertThat(env.origin().lastRequest().headers().get("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void anHttp2BodyIsComparedWithItsDigest() throws Exception {
    byte[] body = "over h2".getBytes(StandardCharsets.UTF_8);
    byte[] tampered = "over h3".getBytes(StandardCharsets.UTF_8);
    try (H2Client h2 = H2Client.connect(gw.address())) {
      var good = H2Client.request(HttpMethod.POST, "/digest/sha256", "test", body);
      var bad = H2Client.request(HttpMethod.POST, "/digest/sha256", "test", tampered);
      for (String line : signedPost("/digest/sha256", digest("SHA-256", body))) {
        int colon = line.indexOf(':');
        good.headers().set(line.substring(0, colon), line.substring(colon + 2));
        bad.headers().set(line.substring(0, colon), line.substring(colon + 2));
      }
      H2Client.Response accepted = h2.send(good).get(10, TimeUnit.SECONDS);
      H2Client.Response refused = h2.send(bad).get(10, TimeUnit.SECONDS);

      assertThat(accepted.status()).isEqualTo(200);
      assertThat(accepted.body()).isEqualTo(originSees(body));
      assertThat(refused.status()).isEqualTo(401);
    }
  }

  @Test
  void aBodyOverMaxBodySizeIsRefusedWith413AndNeverReachesTheOrigin() throws Exception {
    byte[] body = new byte[2000];
    int before = env.origin().requestCount();
    String response =
        post(
            "/digest-small/count",
            body,
            signedPost("/digest-small/count", digest("SHA-256", body)));

    assertThat(response)
        .startsWith("HTTP/1.1 413")
        .contains("https://portico.dev/problems/body-too-large")
        .contains("exceeds 1024 bytes");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void theBodyOfARequestWithAWrongSignatureIsNotRead() throws Exception {
    byte[] body = new byte[2000];
    String[] headers = signedPost("/digest-small/count", digest("SHA-256", body));
    headers[2] = "Authorization: " + authorization("date request-line digest", "AAAA");

    assertThat(post("/digest-small/count", body, headers)).startsWith("HTTP/1.1 401");
  }
}
