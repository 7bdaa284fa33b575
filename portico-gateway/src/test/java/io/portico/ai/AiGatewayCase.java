package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AI gateway end to end: the gateway in-process, fake providers on real sockets speaking each
 * wire format, a real HTTP client. Shared by the AI gateway test classes: a temporary directory
 * with two provider key files, the providers and the gateway the test started, all closed after it.
 */
abstract class AiGatewayCase {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String CONSUMER_KEY = AiCaller.KEY;
  static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":\"Hi\"}]%s}";
  static final String OPENAI_ANSWER =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-x\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}";

  @TempDir Path dir;
  final List<AutoCloseable> closing = new ArrayList<>();
  GatewayFixture gateway;

  @BeforeEach
  void keys() throws Exception {
    Files.writeString(dir.resolve("key1"), "sk-provider-one\n");
    Files.writeString(dir.resolve("key2"), "sk-provider-two\n");
  }

  @AfterEach
  void close() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  FakeProvider provider(FakeProvider.Script script) throws Exception {
    FakeProvider p = new FakeProvider(script);
    closing.add(p);
    return p;
  }

  /** A gateway with the {@code ai} section given and a key-auth protected AI route. */
  void start(String ai) throws Exception {
    gateway = GatewayFixture.start(ai + AiCaller.routeAndConsumer());
  }

  /** A gateway whose model {@code gpt-4o} has one target: the OpenAI provider {@code name}. */
  void startWithOnly(String name, FakeProvider p) throws Exception {
    startWithOnly(name, p, null);
  }

  /**
   * As {@link #startWithOnly(String, FakeProvider)}, the model's {@code timeout} set unless null;
   * the provider uses the key in file {@code key1}.
   */
  void startWithOnly(String name, FakeProvider p, @Nullable String timeout) throws Exception {
    start(
        "ai:\n  providers:\n"
            + openai(name, p, "[ " + key("key1") + " ]")
            + "  models:\n    - { name: gpt-4o, %stargets: [ { provider: %s } ] }\n"
                .formatted(timeout == null ? "" : "timeout: " + timeout + ", ", name));
  }

  String key(String name) {
    return "file:" + dir.resolve(name);
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return AiCaller.post(gateway, path, body);
  }

  HttpResponse<Stream<String>> postStreaming(String body) throws Exception {
    return AiCaller.postStreaming(gateway, body);
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  static String openai(String name, FakeProvider p, String keys) {
    return """
          - name: %s
            kind: openai
            base-url: %s
            keys: %s
        """
        .formatted(name, p.baseUrl("/v1"), keys);
  }

  /** An OpenAI stream chunk whose delta is {@code content}. */
  static String chunk(String content) {
    return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"finish_reason\":null}]}";
  }
}
