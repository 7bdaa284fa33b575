package io.portico.upstream.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP origin on 127.0.0.1 (the JDK's server) whose answers a test switches: {@code
 * /healthz} answers {@link #healthStatus}, {@code /hold} waits until {@link #release()}, anything
 * else answers {@link #status} with the origin's name as body. Counts health probes and requests.
 */
final class HealthOrigin implements AutoCloseable {

  final String name;
  final AtomicInteger healthStatus = new AtomicInteger(200);
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicInteger probes = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private volatile CountDownLatch hold = new CountDownLatch(1);

  HealthOrigin(String name) throws IOException {
    this.name = name;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String authority() {
    return "127.0.0.1:" + port();
  }

  /** Lets every held request answer. */
  void release() {
    hold.countDown();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      ex.getRequestBody().readAllBytes();
      if (path.equals("/healthz")) {
        probes.incrementAndGet();
        ex.sendResponseHeaders(healthStatus.get(), -1);
        return;
      }
      requests.incrementAndGet();
      if (path.equals("/hold")) {
        try {
          hold.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status.get(), body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    hold.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
