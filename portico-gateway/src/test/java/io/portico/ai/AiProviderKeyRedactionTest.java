package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's key never reaches the client through the provider's error text: a provider (or a
 * proxy in front of it) whose error echoes the credentials it was sent, refusing the request or
 * mid-stream. A gateway in-process, a fake provider on a real socket.
 */
class AiProviderKeyRedactionTest {

  private static final String SECRET = "sk-provider-secret-4711";
  private static final String CHAT =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]%s}";

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void key() throws Exception {
    Files.writeString(dir.resolve("key1"), SECRET + "\n");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private GatewayFixture start(FakeProvider.Script script) throws Exception {
    FakeProvider p = new FakeProvider(script);
    closing.add(p);
    String yaml =
        """
        ai:
          providers:
            - { name: openai, kind: openai, base-url: "%s", keys: [ "file:%s" ] }
          models:
            - { name: gpt-4o, targets: [ { provider: openai, model: gpt-4o-2024-08-06 } ] }
        """
                .formatted(p.baseUrl("/v1"), dir.resolve("key1"))
            + AiCaller.routeAndConsumer();
    GatewayFixture gw = GatewayFixture.start(yaml);
    closing.add(gw);
    return gw;
  }

  @Test
  void aRefusalThatEchoesTheKeyIsRelayedWithoutIt() throws Exception {
    GatewayFixture gw =
        start(
            (r, out) ->
                out.json(
                    400,
                    "{\"error\":{\"message\":\"Unsupported header: "
                        + r.header("authorization")
                        + "\",\"type\":\"invalid_request_error\"}}"));

    HttpResponse<String> answer = AiCaller.post(gw, "/v1/chat/completions", CHAT.formatted(""));

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body()).contains("Unsupported header: Bearer [redacted]");
    assertThat(answer.body()).doesNotContain(SECRET);
  }

  @Test
  void aMidStreamErrorThatEchoesTheKeyEndsTheStreamWithoutIt() throws Exception {
    GatewayFixture gw =
        start(
            (r, out) -> {
              out.events();
              out.event(null, AiGatewayEndToEndTest.chunk("Hel"));
              out.event(
                  null, "{\"error\":{\"message\":\"key " + SECRET + " was revoked mid-answer\"}}");
              out.end();
            });

    HttpResponse<Stream<String>> r = AiCaller.postStreaming(gw, CHAT.formatted(",\"stream\":true"));
    List<String> data = AiCaller.dataLines(r);

    assertThat(data).isNotEmpty();
    assertThat(data.get(data.size() - 1)).contains("[redacted]");
    assertThat(String.join("\n", data)).doesNotContain(SECRET);
  }
}
