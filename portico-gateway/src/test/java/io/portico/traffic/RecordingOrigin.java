package io.portico.traffic;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An origin on a real socket that answers its own name and records every request: method, path,
 * headers and body. A fixed delay makes it a slow origin.
 */
final class RecordingOrigin implements AutoCloseable {

  record Seen(String method, String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  static {
    // The JDK server writes head and body separately; without this, Nagle's algorithm and delayed
    // acknowledgements add some 40 ms to every answer.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

  private RecordingOrigin(String name, Duration delay) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(executor);
    server.createContext(
        "/",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          seen.add(
              new Seen(
                  ex.getRequestMethod(),
                  ex.getRequestURI().toString(),
                  Map.copyOf(ex.getRequestHeaders()),
                  new String(body, StandardCharsets.UTF_8)));
          if (!delay.isZero()) {
            try {
              Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
              ex.close();
              return;
            }
          }
          byte[] answer = name.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, answer.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(answer);
          }
        });
    server.start();
  }

  static RecordingOrigin start(String name) throws IOException {
    return new RecordingOrigin(name, Duration.ZERO);
  }

  static RecordingOrigin slow(String name, Duration delay) throws IOException {
    return new RecordingOrigin(name, delay);
  }

  String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
