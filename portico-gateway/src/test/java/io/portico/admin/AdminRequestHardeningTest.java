package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the admin listener answers to hostile requests, over raw sockets: every error a problem
 * (bodies over the limit, unknown expectations, heads too long), writes whose body is not JSON
 * (415) or names a member twice (400), and nothing of a refused write applied.
 */
class AdminRequestHardeningTest {

  private static final String WRITER = "writer-token-hardening";

  @TempDir static Path storeDir;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              tokens:
                - { name: ci, hash: "%s", role: read-write }
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
            """
                .formatted(storeDir, KeyHash.of(WRITER)));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static RawClient admin() throws Exception {
    InetSocketAddress a = gw.gateway().adminAddress();
    return new RawClient(new InetSocketAddress("127.0.0.1", a.getPort()));
  }

  private static String post(String path, String contentType, String body) throws Exception {
    try (RawClient c = admin()) {
      return c.send(
              "POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + WRITER
                  + "\r\n"
                  + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                  + "Content-Length: "
                  + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                  + "\r\nConnection: close\r\n\r\n"
                  + body)
          .readUntil("}", 5000);
    }
  }

  @Test
  void answersADeclaredBodyOverTheLimitWithAProblemAndCloses() throws Exception {
    try (RawClient c = admin()) {
      String got =
          c.send(
                  "POST /consumers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + WRITER
                      + "\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n"
                      + "{\"name\":\"")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 413");
      assertThat(got).contains("application/problem+json");
      assertThat(got).contains("\"type\":\"https://portico.dev/problems/admin-body-too-large\"");
      assertThat(c.closedByServer(3000)).isTrue();
    }
  }

  @Test
  void answersAChunkedBodyThatGrowsOverTheLimitWithAProblemAndCloses() throws Exception {
    try (RawClient c = admin()) {
      c.send(
          "POST /consumers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + WRITER
              + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "a".repeat(64 * 1024);
      try {
        for (int i = 0; i < 20; i++) {
          c.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        }
      } catch (java.io.IOException closedWhileSending) {
        // the answer was written before the close: read it
      }
      String got = c.readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 413");
      assertThat(got).contains("application/problem+json");
      assertThat(got).contains("admin-body-too-large");
    }
  }

  @Test
  void answersAnExpectedBodyOverTheLimitWithAProblemBeforeItIsSent() throws Exception {
    try (RawClient c = admin()) {
      String got =
          c.send(
                  "POST /consumers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + WRITER
                      + "\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n"
                      + "Expect: 100-continue\r\n\r\n")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 413");
      assertThat(got).contains("application/problem+json");
      assertThat(got).contains("admin-body-too-large");
    }
  }

  @Test
  void answersAnUnknownExpectationWithAProblem() throws Exception {
    try (RawClient c = admin()) {
      String got =
          c.send(
                  "POST /consumers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                      + "Expect: 200-ok\r\n\r\n")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 417");
      assertThat(got).contains("application/problem+json");
      assertThat(got).contains("admin-expectation-failed");
    }
  }

  @Test
  void answersAnOverlongRequestLineWith414AndOversizedHeadersWith431() throws Exception {
    try (RawClient c = admin()) {
      String got =
          c.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 414");
      assertThat(got).contains("application/problem+json");
      assertThat(got).contains("\"type\":\"https://portico.dev/problems/admin-uri-too-long\"");
    }
    try (RawClient c = admin()) {
      String got =
          c.send(
                  "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                      + "b".repeat(10_000)
                      + "\r\n\r\n")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 431");
      assertThat(got).contains("application/problem+json");
      assertThat(got).contains("\"type\":\"https://portico.dev/problems/admin-headers-too-large\"");
    }
  }

  @Test
  void answersATargetThatIsNotAPathAndAWrongMethodWithAdminProblemTypes() throws Exception {
    try (RawClient c = admin()) {
      String got =
          c.send("GET http://127.0.0.1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 400");
      assertThat(got).contains("\"type\":\"https://portico.dev/problems/admin-bad-request\"");
    }
    try (RawClient c = admin()) {
      String got =
          c.send(
                  "DELETE /logs/tail HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + WRITER
                      + "\r\n\r\n")
              .readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 405");
      assertThat(got)
          .contains("\"type\":\"https://portico.dev/problems/admin-method-not-allowed\"");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "text/json"
      })
  void refusesAWriteWhoseBodyIsNotJson(String type) throws Exception {
    String got = post("/consumers", type, "{\"name\":\"by-" + type.length() + "\"}");
    assertThat(got).startsWith("HTTP/1.1 415");
    assertThat(got).contains("application/problem+json");
    assertThat(got).contains("admin-unsupported-media-type");
    assertThat(get("/consumers/by-" + type.length())).startsWith("HTTP/1.1 404");
  }

  private static String get(String path) throws Exception {
    try (RawClient c = admin()) {
      return c.send(
              "GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + WRITER
                  + "\r\nConnection: close\r\n\r\n")
          .readUntil("}", 5000);
    }
  }

  @Test
  void takesJsonWithParametersAndJsonSuffixesAndNoContentType() throws Exception {
    assertThat(post("/consumers", "application/json; charset=utf-8", "{\"name\":\"j1\"}"))
        .startsWith("HTTP/1.1 200");
    assertThat(post("/consumers", "Application/JSON", "{\"name\":\"j2\"}"))
        .startsWith("HTTP/1.1 200");
    assertThat(post("/consumers", null, "{\"name\":\"j3\"}")).startsWith("HTTP/1.1 200");
  }

  @Test
  void refusesAMemberNamedTwiceAndAppliesNothing() throws Exception {
    String got = post("/consumers", "application/json", "{\"name\":\"dup-a\",\"name\":\"dup-b\"}");
    assertThat(got).startsWith("HTTP/1.1 400");
    assertThat(got).contains("application/problem+json");
    assertThat(got).contains("admin-duplicate-key");
    assertThat(got).contains("\\\"name\\\" appears twice");
    String nested =
        post(
            "/routes",
            "application/json",
            "{\"name\":\"r\",\"paths\":[\"/r\"],\"plugins\":{\"mock\":{\"body\":\"a\",\"body\":\"b\"}}}");
    assertThat(nested).startsWith("HTTP/1.1 400");
    assertThat(nested).contains("admin-duplicate-key");
    assertThat(get("/consumers/dup-a")).startsWith("HTTP/1.1 404");
    assertThat(get("/consumers/dup-b")).startsWith("HTTP/1.1 404");
    assertThat(get("/routes/r")).startsWith("HTTP/1.1 404");
  }

  @Test
  void stillReportsMalformedJsonWithItsPosition() throws Exception {
    String got = post("/consumers", "application/json", "{\"name\":");
    assertThat(got).startsWith("HTTP/1.1 400");
    assertThat(got).contains("application/problem+json");
    assertThat(got).contains("\"line\":1");
  }
}
