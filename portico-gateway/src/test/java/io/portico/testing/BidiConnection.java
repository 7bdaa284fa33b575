package io.portico.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebDriver BiDi session socket of {@link FirefoxBidi}: commands out, answers and events in.
 *
 * <p>Threading: the test thread sends; every command has an id, and its answer completes the future
 * kept under that id. The WebSocket's listener thread parses each message, completes futures and
 * records the subscribed events ({@code log.entryAdded}, {@code browsingContext.userPromptOpened})
 * in thread-safe lists. Each command waits 30 seconds at most; sends are serialised, since a
 * WebSocket takes one at a time. A closed or failed socket fails every command still waiting.
 */
final class BidiConnection {

  private static final Duration COMMAND = Duration.ofSeconds(30);

  private final ObjectMapper json;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final List<String> prompts = new CopyOnWriteArrayList<>();
  private final Object sending = new Object();
  private WebSocket socket;

  private BidiConnection(ObjectMapper json) {
    this.json = json;
  }

  /** Opens the session socket at {@code url} ({@code ws://.../session}). */
  static BidiConnection open(URI url, ObjectMapper json) throws Exception {
    BidiConnection connection = new BidiConnection(json);
    connection.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(url, connection.new Listener())
            .get(COMMAND.toSeconds(), TimeUnit.SECONDS);
    return connection;
  }

  /** The {@code log.entryAdded} events as {@code "level type: text"}; the caller may clear it. */
  List<String> log() {
    return log;
  }

  /** The {@code browsingContext.userPromptOpened} events as {@code "type: message"}. */
  List<String> prompts() {
    return prompts;
  }

  /** Drops the socket at once. */
  void abort() {
    socket.abort();
  }

  /** Sends a command and answers its result; fails on an error answer or after 30 seconds. */
  JsonNode send(String method, ObjectNode params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode command = json.createObjectNode().put("id", id).put("method", method);
    command.set("params", params);
    try {
      synchronized (sending) {
        socket.sendText(command.toString(), true).get(COMMAND.toSeconds(), TimeUnit.SECONDS);
      }
      return answer.get(COMMAND.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          method + " had no answer within " + COMMAND.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException(method + ": " + e.getCause().getMessage(), e.getCause());
    } finally {
      pending.remove(id);
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder message = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        String text = message.toString();
        message.setLength(0);
        dispatch(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      failAll(new IllegalStateException("the BiDi connection closed: " + status + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      failAll(error);
    }
  }

  private void dispatch(String text) {
    JsonNode message;
    try {
      message = json.readTree(text);
    } catch (IOException e) {
      failAll(e);
      return;
    }
    if (message.hasNonNull("id")) {
      CompletableFuture<JsonNode> answer = pending.get(message.get("id").asLong());
      if (answer == null) {
        return;
      }
      if ("error".equals(message.path("type").asText())) {
        answer.completeExceptionally(
            new IllegalStateException(
                message.path("error").asText() + ": " + message.path("message").asText()));
      } else {
        answer.complete(message.path("result"));
      }
      return;
    }
    JsonNode params = message.path("params");
    switch (message.path("method").asText()) {
      case "log.entryAdded" ->
          log.add(
              params.path("level").asText()
                  + " "
                  + params.path("type").asText()
                  + ": "
                  + params.path("text").asText());
      case "browsingContext.userPromptOpened" ->
          prompts.add(params.path("type").asText() + ": " + params.path("message").asText());
      default -> {
        // not subscribed
      }
    }
  }

  private void failAll(Throwable error) {
    pending.values().forEach(f -> f.completeExceptionally(error));
  }
}
