package io.portico.ai;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The caller of the AI end-to-end tests: the consumer {@code team-a}, whose key-auth key {@link
 * #KEY} opens the AI route {@code llm} on {@code /v1/}; the YAML that declares both, and the
 * requests that consumer sends. Holds nothing: every call names the gateway it goes to, and the
 * test that started that gateway closes it.
 */
final class AiCaller {

  /** The consumer's key, sent as {@code Authorization: Bearer}. */
  static final String KEY = "team-a-secret-key";

  private AiCaller() {}

  /** The {@code routes:} (just {@code llm}) and {@code consumers:} sections, as top-level YAML. */
  static String routeAndConsumer() {
    return """
        routes:
          - name: llm
            paths: [ /v1/ ]
            ai: {}
            plugins:
              key-auth: { header-names: [ Authorization ] }
        consumers:
          - name: team-a
            credentials:
              key-auth: { key: "%s" }
        """
        .formatted(sha256(KEY));
  }

  /** Posts the JSON {@code body} to {@code path} with the consumer's key. */
  static HttpResponse<String> post(GatewayFixture gw, String path, String body) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /**
   * Posts {@code body} to {@code /v1/chat/completions} with the consumer's key and answers as soon
   * as the head arrives, the body to be read line by line (up to 10 seconds for the whole call).
   */
  static HttpResponse<Stream<String>> postStreaming(GatewayFixture gw, String body)
      throws Exception {
    return gw.client()
        .send(
            HttpRequest.newBuilder(gw.uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
  }

  /** The {@code data:} payloads of an event stream, in order; reads the body to its end. */
  static List<String> dataLines(HttpResponse<Stream<String>> response) {
    try (Stream<String> lines = response.body()) {
      return lines.filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }
  }

  /** A key-auth key as the config stores it: {@code sha256:} and the hex digest of {@code key}. */
  static String sha256(String key) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
