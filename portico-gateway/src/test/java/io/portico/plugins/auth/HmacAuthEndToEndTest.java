package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * hmac-auth over real sockets: a correctly signed request passes, and a wrong signature, an old
 * date, an altered signed header, an unsigned date or a missing digest are refused with 401.
 */
class HmacAuthEndToEndTest {

  private static final String SECRET = "alice-hmac-secret-0123456789";

  private static TestOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
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
            """
                .formatted(origin.authority(), SECRET));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
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
    assertThat(origin.lastRequest().headers().get("x-consumer-name")).isEqualTo("alice");
    assertThat(origin.lastRequest().headers().contains("authorization")).isFalse();
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
}
