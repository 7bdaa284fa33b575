package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.ai.PromptTrial;
import io.portico.config.AiConfig;
import io.portico.config.AiRouteOptions;
import io.portico.config.ListenerConfig;
import io.portico.config.RouteConfig;
import io.portico.observe.metrics.AiUsageTable;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.store.Change;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectWrite;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The AI gateway's admin endpoints. {@code POST /ai/try} runs a prompt route once ({@link
 * #tryRoute}). {@code GET /ai/usage}: the AI gateway's tokens and cost per consumer and model since
 * the gateway started, from the gateway's own accounting of every AI call ({@link AiUsageTable},
 * fed by the log phase, so reading it costs the data plane nothing). The providers, their keys and
 * the models' routing are ordinary config objects ({@code /ai-providers}, {@code /ai-models}:
 * {@link ObjectEndpoints}). Usage runs on the event loop: the table is read without locks.
 */
final class AiEndpoints {

  private static final JsonFactory JSON = new JsonFactory();

  private AiEndpoints() {}

  /** How long a try waits for the gateway's answer. */
  private static final Duration TRY_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final java.security.SecureRandom DRAFTS = new java.security.SecureRandom();

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static boolean handles(String path) {
    return path.equals("/ai/usage") || path.equals("/ai/try");
  }

  /**
   * {@code POST /ai/try}: {@code {"route": "translate", "variables": {...}}} runs a prompt route
   * once, as a client would: the variables are posted to the route's first path on the gateway's
   * first plain-HTTP listener (loopback when it listens on every address), so the answer comes
   * through the whole AI gateway path (the route's plugins, guard, cache, targets and fallback).
   * Blocks for up to {@link #TRY_TIMEOUT}: called off the event loop.
   */
  static FullHttpResponse tryRoute(FullHttpRequest req, AdminApi api) throws IOException {
    if (req.method() != HttpMethod.POST) {
      return AdminHandler.methodNotAllowed("POST");
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(req.content().toString(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      return invalid("$", "invalid JSON (expected: a JSON object)");
    }
    if (body == null || !body.isObject()) {
      return invalid("$", "the body (expected: a JSON object with route and variables)");
    }
    if (body.has("prompt")) {
      return tryDraft(body, api);
    }
    JsonNode name = body.get("route");
    if (name == null || !name.isTextual() || name.asText().isEmpty()) {
      return invalid("$.route", "a route name is required (expected: a string)");
    }
    JsonNode variables = body.path("variables");
    if (!variables.isMissingNode() && !variables.isObject()) {
      return invalid("$.variables", variables + " (expected: an object of variables)");
    }
    RouteConfig route =
        api.snapshot().config().routes().stream()
            .filter(r -> r.name().equals(name.asText()))
            .findFirst()
            .orElse(null);
    if (route == null
        || route.ai() == null
        || route.ai().options() == null
        || route.ai().options().prompt() == null) {
      return invalid(
          "$.route", "\"" + name.asText() + "\" (expected: the name of a route with ai.prompt)");
    }
    String path = route.paths().isEmpty() ? "" : route.paths().get(0);
    if (!route.hosts().isEmpty() || !path.startsWith("/") || path.contains("{")) {
      return invalid(
          "$.route",
          "\""
              + route.name()
              + "\" (expected: a route without hosts whose first path is a plain path)");
    }
    InetSocketAddress listener = plainListener(api);
    if (listener == null) {
      return AdminHandler.problem(
          HttpResponseStatus.CONFLICT,
          "admin-no-listener",
          "The gateway has no plain HTTP listener to try the route on.");
    }
    String host =
        listener.getAddress() == null || listener.getAddress().isAnyLocalAddress()
            ? "127.0.0.1"
            : listener.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    HttpRequest call =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + listener.getPort() + path))
            .timeout(TRY_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    variables.isMissingNode() ? "{}" : variables.toString()))
            .build();
    HttpResponse<String> answer;
    try {
      answer = CLIENT.send(call, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return AdminHandler.problem(
          HttpResponseStatus.BAD_GATEWAY,
          "admin-try-failed",
          "The gateway did not answer the try: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AdminHandler.problem(
          HttpResponseStatus.SERVICE_UNAVAILABLE, "admin-try-failed", "The try was interrupted.");
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.put("route", route.name());
    out.put("path", path);
    out.put("status", answer.statusCode());
    out.put("content_type", answer.headers().firstValue("Content-Type").orElse(""));
    out.put("body", answer.body());
    return AdminHandler.json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
  }

  /**
   * {@code POST /ai/try} with {@code {"prompt": {...}, "variables": {...}}}: a prompt template
   * before it is published. The draft is checked exactly as publishing it as a route would check it
   * (a dry run of the route's write: unknown variables and models, template syntax), then filled
   * and sent to its model once ({@link PromptTrial}); no route is created and nothing is stored.
   */
  private static FullHttpResponse tryDraft(JsonNode body, AdminApi api) throws IOException {
    JsonNode prompt = body.get("prompt");
    if (!prompt.isObject()) {
      return invalid("$.prompt", prompt + " (expected: the object a route's ai.prompt holds)");
    }
    JsonNode variables = body.path("variables");
    if (!variables.isMissingNode() && !variables.isObject()) {
      return invalid("$.variables", variables + " (expected: an object of variables)");
    }
    String name = "prompt-try-" + Long.toHexString(DRAFTS.nextLong() & Long.MAX_VALUE);
    ObjectNode route = MAPPER.createObjectNode();
    route.put("name", name);
    route.putArray("paths").add("/" + name);
    route.putArray("methods").add("POST");
    route.putObject("ai").set("prompt", prompt);
    WriteResult checked =
        api.dryRun(
            new ObjectWrite(
                "prompt-try",
                "POST /ai/try",
                List.of(
                    Change.put(
                        new ObjectKey(ObjectKind.ROUTES, name), MAPPER.writeValueAsString(route))),
                List.of()));
    if (!(checked instanceof WriteResult.Valid valid)) {
      return ObjectEndpoints.result(checked, null);
    }
    AiConfig.Route ai =
        valid.parsed().routes().stream()
            .filter(r -> r.name().equals(name))
            .map(RouteConfig::ai)
            .filter(java.util.Objects::nonNull)
            .findFirst()
            .orElse(null);
    AiRouteOptions.Prompt template = ai == null ? null : ai.options().prompt();
    if (ai == null || template == null) {
      return invalid("$.prompt", "the draft (expected: a prompt template)");
    }
    PromptTrial.Answer answer;
    try {
      answer =
          PromptTrial.run(
              ai.ai(),
              template,
              variables.isMissingNode() ? null : variables,
              CLIENT,
              api::environment);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AdminHandler.problem(
          HttpResponseStatus.SERVICE_UNAVAILABLE, "admin-try-failed", "The try was interrupted.");
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.putNull("route");
    out.put("model", template.model());
    if (answer.provider() == null) {
      out.putNull("provider");
    } else {
      out.put("provider", answer.provider());
    }
    out.put("status", answer.status());
    out.put("content_type", answer.contentType());
    out.put("body", answer.body());
    return AdminHandler.json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
  }

  /** The first listener without TLS, as bound. */
  private static @Nullable InetSocketAddress plainListener(AdminApi api) {
    List<ListenerConfig> configured = api.snapshot().config().listeners();
    List<InetSocketAddress> bound = api.listeners();
    for (int i = 0; i < Math.min(configured.size(), bound.size()); i++) {
      if (configured.get(i).tls() == null) {
        return bound.get(i);
      }
    }
    return null;
  }

  private static FullHttpResponse invalid(String path, String message) throws IOException {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("type", "https://portico.dev/problems/admin-invalid-request");
    out.put("title", "Bad Request");
    out.put("status", 400);
    out.put("detail", path + ": " + message);
    ObjectNode p = out.putArray("problems").addObject();
    p.put("source", "request body");
    p.put("path", path);
    p.put("message", message);
    FullHttpResponse r =
        AdminHandler.json(HttpResponseStatus.BAD_REQUEST, MAPPER.writeValueAsString(out));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
    return r;
  }

  static FullHttpResponse handle(HttpMethod method, AdminApi api) throws IOException {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      return AdminHandler.methodNotAllowed("GET");
    }
    GatewayMetrics metrics = api.metrics();
    if (metrics == null) {
      return AdminHandler.problem(
          HttpResponseStatus.NOT_FOUND,
          "metrics-disabled",
          "The AI usage is counted by the gateway's metrics, which are off (metrics.enabled).");
    }
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      long prompt = 0;
      long completion = 0;
      double cost = 0;
      g.writeArrayFieldStart("usage");
      for (AiUsageTable.Row r : metrics.aiUsage().rows()) {
        g.writeStartObject();
        g.writeStringField("consumer", r.consumer());
        g.writeStringField("model", r.model());
        g.writeStringField("provider", r.provider());
        g.writeNumberField("calls", r.calls());
        g.writeNumberField("prompt_tokens", r.promptTokens());
        g.writeNumberField("completion_tokens", r.completionTokens());
        g.writeNumberField("total_tokens", r.promptTokens() + r.completionTokens());
        g.writeNumberField("cost", r.cost());
        g.writeEndObject();
        prompt += r.promptTokens();
        completion += r.completionTokens();
        cost += r.cost();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("total");
      g.writeNumberField("prompt_tokens", prompt);
      g.writeNumberField("completion_tokens", completion);
      g.writeNumberField("total_tokens", prompt + completion);
      g.writeNumberField("cost", cost);
      g.writeEndObject();
      g.writeEndObject();
    }
    return AdminHandler.json(HttpResponseStatus.OK, w.toString());
  }
}
