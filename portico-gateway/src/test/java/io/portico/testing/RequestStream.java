package io.portico.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of requests kept up by client threads while a test breaks something (stops a registry,
 * kills an endpoint, writes config): every answer other than the expected status, and every
 * exception, is collected as a failure. Closing it stops the clients and waits for them.
 */
public final class RequestStream implements AutoCloseable {

  /** One request of the stream. */
  @FunctionalInterface
  public interface Request {
    HttpResponse<String> send() throws Exception;
  }

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger ok = new AtomicInteger();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> clients = new ArrayList<>();

  private RequestStream() {}

  /** Starts {@code clients} threads sending {@code request} until closed, expecting a 200 each. */
  public static RequestStream start(int clients, Request request) {
    RequestStream stream = new RequestStream();
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> stream.loop(request), "request-stream-" + i);
      t.setDaemon(true);
      stream.clients.add(t);
      t.start();
    }
    return stream;
  }

  /** One client thread sending GETs of {@code path} to the gateway. */
  public static RequestStream get(GatewayFixture gw, String path) {
    return start(1, () -> gw.get(path));
  }

  private void loop(Request request) {
    while (running.get()) {
      try {
        HttpResponse<String> r = request.send();
        if (r.statusCode() == 200) {
          ok.incrementAndGet();
        } else {
          failures.add(r.statusCode() + " " + r.body());
        }
      } catch (Exception e) {
        failures.add(e.toString());
      }
    }
  }

  /** Requests answered 200 so far. */
  public int ok() {
    return ok.get();
  }

  /** The failures so far (a copy). */
  public List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : clients) {
      t.join();
    }
  }
}
