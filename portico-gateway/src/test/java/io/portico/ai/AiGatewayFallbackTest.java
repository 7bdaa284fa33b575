package io.portico.ai;

import static io.portico.ai.AiCaller.dataLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The AI gateway's routing and faults: fallback on 429, 5xx and connect failures, cool-downs, key
 * rotation, timeouts, garbage answers and streams that are cut, stall or are left by the client.
 */
class AiGatewayFallbackTest extends AiGatewayCase {

  // ---------------------------------------------------------------- routing and faults

  @Test
  void fallsBackOn429AndSkipsThatTargetUntilRetryAfter() throws Exception {
    FakeProvider limited =
        provider(
            (r, out) ->
                out.json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After: 30"));
    FakeProvider spare = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n"
            + openai("limited", limited, "[ " + key("key1") + " ]")
            + openai("spare", spare, "[ " + key("key2") + " ]")
            + """
              models:
                - name: gpt-4o
                  targets: [ { provider: limited }, { provider: spare } ]
            """);

    HttpResponse<String> first = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
    HttpResponse<String> second = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(limited.received()).hasSize(1);
    assertThat(spare.received()).hasSize(2);
    assertThat(spare.last().header("authorization")).isEqualTo("Bearer sk-provider-two");
  }

  @Test
  void answers503WithRetryAfterWhileTheOnlyTargetCoolsDown() throws Exception {
    FakeProvider limited =
        provider(
            (r, out) ->
                out.json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After: 20"));
    startWithOnly("limited", limited);

    HttpResponse<String> first = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
    HttpResponse<String> second = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(limited.received()).hasSize(1);
    assertThat(Integer.parseInt(second.headers().firstValue("retry-after").orElse("0")))
        .isBetween(1, 20);
    assertThat(json(second.body()).at("/error/message").asText()).contains("cooling down");
  }

  @Test
  void fallsBackOnConnectFailureAnd5xxThenAnswers503WhenAllFail() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FakeProvider failing = provider((r, out) -> out.json(500, "{\"error\":\"boom\"}"));
    FakeProvider ok = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n  - { name: dead, kind: openai-compatible, base-url: \"http://127.0.0.1:%d/v1\", connect-timeout: 500ms }\n"
                .formatted(closedPort)
            + openai("failing", failing, "[ " + key("key1") + " ]")
            + openai("ok", ok, "[ " + key("key2") + " ]")
            + """
              models:
                - name: good
                  targets: [ { provider: dead }, { provider: failing }, { provider: ok } ]
                - name: bad
                  targets: [ { provider: dead }, { provider: failing } ]
            """);

    HttpResponse<String> good = post("/v1/chat/completions", CHAT.formatted("good", ""));
    HttpResponse<String> bad = post("/v1/chat/completions", CHAT.formatted("bad", ""));

    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(failing.received()).hasSize(2);
    assertThat(bad.statusCode()).isEqualTo(503);
    JsonNode error = json(bad.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("all_targets_failed");
    assertThat(error.path("message").asText()).contains("dead").contains("failing: answered 500");
    assertThat(bad.body()).doesNotContain("sk-provider").doesNotContain("127.0.0.1");
  }

  @Test
  void triesTheSameTargetOnceMoreWhenItClosesTheConnectionBeforeAnswering() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    FakeProvider flaky =
        provider(
            (r, out) -> {
              if (calls.incrementAndGet() > 1) {
                out.json(200, OPENAI_ANSWER);
              }
              // the first request: the connection closes unanswered
            });
    startWithOnly("flaky", flaky);

    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(flaky.received()).hasSize(2);
  }

  @Test
  void answers504WhenTheProviderIsSlowerThanTheModelsTimeout() throws Exception {
    FakeProvider slow =
        provider(
            (r, out) -> {
              Thread.sleep(3000);
              out.json(200, OPENAI_ANSWER);
            });
    startWithOnly("slow", slow, "300ms");

    long start = System.nanoTime();
    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(json(r.body()).at("/error/code").asText()).isEqualTo("timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void answers502NamingTheProviderWhenItAnswersGarbage() throws Exception {
    FakeProvider garbage = provider((r, out) -> out.json(200, "<html>not json"));
    startWithOnly("weird", garbage);

    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(json(r.body()).at("/error/message").asText()).contains("Provider weird");
  }

  @Test
  void rotatesKeysAndCoolsDownAKeyTheProviderRefuses() throws Exception {
    FakeProvider p =
        provider(
            (r, out) -> {
              if (r.header("authorization").endsWith("one")) {
                out.json(
                    401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-pr***one\"}}");
              } else {
                out.json(200, OPENAI_ANSWER);
              }
            });
    start(
        "ai:\n  providers:\n"
            + openai("p", p, "[ " + key("key1") + ", " + key("key2") + " ]")
            + "  models:\n    - { name: gpt-4o, targets: [ { provider: p } ] }\n");

    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("sk-pr");
    }

    long refused =
        p.received().stream().filter(r -> r.header("authorization").endsWith("one")).count();
    assertThat(refused).isEqualTo(1);
  }

  @Test
  void endsTheClientsStreamWithAnErrorEventWhenTheProviderCutsIt() throws Exception {
    FakeProvider cut =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("Hel"));
              out.raw("5\r\ndata:"); // half a chunk, then the connection drops
            });
    startWithOnly("cut", cut);

    HttpResponse<Stream<String>> r = postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true"));

    List<String> data = dataLines(r);
    assertThat(data).hasSize(2);
    assertThat(data.get(0)).contains("Hel");
    assertThat(json(data.get(1)).at("/error/message").asText()).contains("Provider cut");
  }

  @Test
  void endsTheClientsStreamWithAnErrorEventWhenTheProviderGoesSilent() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    FakeProvider silent =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("Hel"));
              done.await(5, TimeUnit.SECONDS);
            });
    startWithOnly("silent", silent, "300ms");

    List<String> data = dataLines(postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true")));
    done.countDown();

    assertThat(data).hasSize(2);
    assertThat(json(data.get(1)).at("/error/code").asText()).isEqualTo("timeout");
  }

  @Test
  void fallsBackWhenAStreamFailsBeforeItsFirstEventButNeverAfter() throws Exception {
    FakeProvider cutEarly =
        provider(
            (r, out) -> {
              out.events();
              out.raw("5\r\ndata:"); // cut before any whole event
            });
    FakeProvider spare =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("spare"));
              out.event(null, "[DONE]");
              out.end();
            });
    start(
        "ai:\n  providers:\n"
            + openai("early", cutEarly, "[ " + key("key1") + " ]")
            + openai("spare", spare, "[ " + key("key2") + " ]")
            + "  models:\n    - { name: gpt-4o, targets: [ { provider: early }, { provider: spare } ] }\n");

    List<String> data = dataLines(postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true")));

    assertThat(data).hasSize(2).last().isEqualTo("[DONE]");
    assertThat(data.get(0)).contains("spare");
    assertThat(cutEarly.received()).hasSize(1);
  }

  @Test
  void cancelsTheProviderCallWhenTheClientLeavesMidStream() throws Exception {
    CountDownLatch clientGone = new CountDownLatch(1);
    FakeProvider endless =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("first"));
              clientGone.await(5, TimeUnit.SECONDS);
              for (int i = 0; i < 200; i++) {
                out.event(null, chunk("more"));
                Thread.sleep(20);
              }
              out.end();
            });
    startWithOnly("endless", endless);

    String body = CHAT.formatted("gpt-4o", ",\"stream\":true");
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + CONSUMER_KEY
                  + "\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.contains("first")) {
        // until the first event
      }
      assertThat(line).contains("first");
    }
    clientGone.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> endless.writeFailures() == 1);
  }
}
