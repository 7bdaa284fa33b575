package io.portico.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP/1.1 origin server on a real socket (127.0.0.1, an ephemeral port) that records every
 * request it receives, with its body, and answers what the test says. Until told otherwise it
 * answers {@code 200 text/plain "ok"}.
 *
 * <pre>{@code
 * try (Origin origin = Origin.start()) {
 *   origin.answer(request -> OriginReply.text(201, "created"));
 *   ... send a request through the gateway to origin.authority() ...
 *   RecordedRequest seen = origin.lastRequest();
 * }
 * }</pre>
 *
 * <p>Requests are answered on a small pool of threads, so a reply {@linkplain OriginReply#withDelay
 * delayed} for one request does not hold the others. Thread-safe.
 */
public final class Origin implements AutoCloseable {

  private static final OriginReply DEFAULT = OriginReply.text(200, "ok");

  private final HttpServer server;
  private final ExecutorService threads;
  private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
  private volatile Function<RecordedRequest, OriginReply> answer = request -> DEFAULT;

  private Origin(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /** Starts an origin on 127.0.0.1 and an ephemeral port. */
  public static Origin start() {
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "portico-testkit-origin-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      threads.shutdownNow();
      throw new IllegalStateException("cannot bind the test origin on 127.0.0.1", e);
    }
    Origin origin = new Origin(server, threads);
    server.createContext("/", origin::handle);
    server.setExecutor(threads);
    server.start();
    return origin;
  }

  /** From now on, answers each request with what {@code answer} returns for it. */
  public Origin answer(Function<RecordedRequest, OriginReply> answer) {
    this.answer = answer;
    return this;
  }

  /** From now on, answers every request with {@code reply}. */
  public Origin answer(OriginReply reply) {
    return answer(request -> reply);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:<port>}, as a service target. */
  public String authority() {
    return "127.0.0.1:" + port();
  }

  /** Every request received so far, in order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** The most recent request, or null when none arrived. */
  public RecordedRequest lastRequest() {
    RecordedRequest last = null;
    for (RecordedRequest r : requests) {
      last = r;
    }
    return last;
  }

  /** Forgets the requests received so far. */
  public void clear() {
    requests.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) ->
                  headers
                      .computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                      .addAll(values));
      headers.replaceAll((name, values) -> List.copyOf(values));
      RecordedRequest request =
          new RecordedRequest(
              exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body);
      requests.add(request);
      OriginReply reply;
      try {
        reply = answer.apply(request);
      } catch (RuntimeException e) {
        reply = OriginReply.text(500, "the test's answer failed: " + e);
      }
      if (!reply.delay().isZero()) {
        try {
          Thread.sleep(reply.delay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      send(exchange, reply);
    }
  }

  private static void send(HttpExchange exchange, OriginReply reply) throws IOException {
    for (Map.Entry<String, String> h : reply.headers()) {
      exchange.getResponseHeaders().add(h.getKey(), h.getValue());
    }
    byte[] body = reply.body();
    int status = reply.statusCode();
    boolean bodiless =
        status == 204
            || status == 304
            || status < 200
            || exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, bodiless || body.length == 0 ? -1 : body.length);
    if (!bodiless && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public String toString() {
    return "Origin[" + authority() + ", " + requests.size() + " requests]";
  }
}
