package io.portico.observe.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on a real socket that checks each request's signature the way the docs tell a
 * receiver to, and keeps what it got.
 */
final class WebhookReceiver implements AutoCloseable {

  /** One request: its JSON body and whether its signature and timestamp checked out. */
  record Received(String path, JsonNode body, boolean signed, boolean verified) {
    String rule() {
      return body.path("rule").asText();
    }

    String status() {
      return body.path("status").asText();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final byte[] secret;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  WebhookReceiver(String secret) throws IOException {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          String signature = exchange.getRequestHeaders().getFirst("X-Portico-Signature");
          String timestamp = exchange.getRequestHeaders().getFirst("X-Portico-Timestamp");
          JsonNode json = JSON.readTree(body);
          boolean verified =
              signature != null
                  && MessageDigest.isEqual(
                      signature.getBytes(StandardCharsets.US_ASCII),
                      ("sha256=" + hmac(body)).getBytes(StandardCharsets.US_ASCII))
                  && timestamp != null
                  && timestamp.equals(json.path("timestamp").asText())
                  && Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) < 300;
          received.add(
              new Received(exchange.getRequestURI().getPath(), json, signature != null, verified));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }

  private String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String url() {
    return url("/hooks/portico");
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** What was posted to {@code path} (a Slack-compatible notifier's, say). */
  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  List<Received> of(String rule) {
    return received.stream().filter(r -> r.rule().equals(rule)).toList();
  }

  List<Received> of(String rule, String status) {
    return of(rule).stream().filter(r -> r.status().equals(status)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
