package io.portico.plugins.auth.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands between the gateway and a real OpenID provider (mock-oauth2-server): serves the provider's
 * discovery document with its {@code userinfo_endpoint} pointing here, counts the UserInfo requests
 * and relays them to the provider, or, when told to, answers them as a provider that is down, slow
 * or refuses the token would.
 */
final class UserInfoProxy implements AutoCloseable {

  enum Mode {
    RELAY,
    DOWN,
    SLOW,
    REFUSE
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newHttpClient();
  private final URI discovery;
  private final URI userInfo;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile Mode mode = Mode.RELAY;

  /** {@code discovery} and {@code userInfo}: the provider's own URLs. */
  UserInfoProxy(URI discovery, URI userInfo) throws IOException {
    this.discovery = discovery;
    this.userInfo = userInfo;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/.well-known/openid-configuration", this::discovery);
    server.createContext("/userinfo", this::userInfo);
    server.start();
  }

  URI discoveryUrl() {
    return URI.create(base() + "/.well-known/openid-configuration");
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void mode(Mode mode) {
    this.mode = mode;
  }

  /** UserInfo requests received so far, whatever the answer. */
  int calls() {
    return calls.get();
  }

  private void discovery(HttpExchange exchange) throws IOException {
    try {
      String body = client.send(get(discovery, null), HttpResponse.BodyHandlers.ofString()).body();
      ObjectNode metadata = (ObjectNode) JSON.readTree(body);
      metadata.put("userinfo_endpoint", base() + "/userinfo");
      respond(exchange, 200, JSON.writeValueAsString(metadata), null);
    } catch (Exception e) {
      respond(exchange, 502, "{}", null);
    }
  }

  private void userInfo(HttpExchange exchange) throws IOException {
    calls.incrementAndGet();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    switch (mode) {
      case DOWN -> respond(exchange, 503, "{\"error\":\"temporarily_unavailable\"}", null);
      case REFUSE ->
          respond(
              exchange,
              401,
              "{\"error\":\"invalid_token\"}",
              "Bearer realm=\"mock\", error=\"invalid_token\"");
      case SLOW -> {
        sleep(Duration.ofSeconds(3));
        respond(exchange, 503, "{}", null);
      }
      case RELAY -> {
        try {
          HttpResponse<String> r =
              client.send(get(userInfo, authorization), HttpResponse.BodyHandlers.ofString());
          respond(
              exchange,
              r.statusCode(),
              r.body(),
              r.headers().firstValue("WWW-Authenticate").orElse(null));
        } catch (Exception e) {
          respond(exchange, 502, "{}", null);
        }
      }
    }
  }

  private static HttpRequest get(URI uri, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b.build();
  }

  private static void respond(HttpExchange exchange, int status, String body, String challenge)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (challenge != null) {
      exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
