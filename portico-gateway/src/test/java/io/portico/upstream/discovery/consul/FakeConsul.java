package io.portico.upstream.discovery.consul;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consul's health endpoint as the tests need it ({@code GET /v1/health/service/<name>}) with
 * blocking queries: a request whose {@code index} is the current one is held until the instances
 * change or its {@code wait} ends. Can be stopped and started again on its port, and made to answer
 * garbage.
 */
final class FakeConsul implements AutoCloseable {

  /** One registered instance. */
  record Instance(String address, int port, List<String> tags, int weight) {}

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<Instance> instances = new ArrayList<>();
  private long index = 7;
  private boolean garbage;
  private HttpServer server;
  private int port;

  static FakeConsul start() throws IOException {
    FakeConsul c = new FakeConsul();
    c.bind(0);
    return c;
  }

  private void bind(int p) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 0);
    server.createContext("/v1/health/service/", this::health);
    server.setExecutor(executor);
    server.start();
    port = server.getAddress().getPort();
  }

  String address() {
    return "http://127.0.0.1:" + port;
  }

  int requests() {
    return requests.get();
  }

  synchronized void set(Instance... now) {
    instances.clear();
    instances.addAll(List.of(now));
    index++;
    notifyAll();
  }

  synchronized void garbage(boolean on) {
    garbage = on;
    index++;
    notifyAll();
  }

  void stop() {
    server.stop(0);
  }

  void restart() throws IOException {
    bind(port);
  }

  private void health(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String query = exchange.getRequestURI().getQuery();
    long asked = Long.parseLong(param(query, "index", "0"));
    long waitMillis = Long.parseLong(param(query, "wait", "0s").replace("s", "")) * 1000;
    String tag = param(query, "tag", null);
    String body;
    long at;
    synchronized (this) {
      long deadline = System.currentTimeMillis() + waitMillis;
      while (asked == index && System.currentTimeMillis() < deadline) {
        try {
          wait(Math.max(1, deadline - System.currentTimeMillis()));
        } catch (InterruptedException e) {
          return;
        }
      }
      at = index;
      body = garbage ? "[{\"Service\": not json" : json(tag);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("X-Consul-Index", Long.toString(at));
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private String json(String tag) {
    StringBuilder sb = new StringBuilder("[");
    for (Instance i : instances) {
      if (tag != null && !i.tags().contains(tag)) {
        continue;
      }
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append("{\"Node\":{\"Node\":\"n1\",\"Address\":\"127.0.0.1\"},\"Service\":{\"ID\":\"x\",")
          .append("\"Address\":\"")
          .append(i.address())
          .append("\",\"Port\":")
          .append(i.port())
          .append(",\"Tags\":[");
      for (int t = 0; t < i.tags().size(); t++) {
        sb.append(t == 0 ? "" : ",").append('"').append(i.tags().get(t)).append('"');
      }
      sb.append("],\"Weights\":{\"Passing\":")
          .append(i.weight())
          .append(",\"Warning\":1}},")
          .append("\"Checks\":[]}");
    }
    return sb.append(']').toString();
  }

  private static String param(String query, String name, String def) {
    if (query == null) {
      return def;
    }
    for (String kv : query.split("&")) {
      if (kv.startsWith(name + "=")) {
        return kv.substring(name.length() + 1);
      }
    }
    return def;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
