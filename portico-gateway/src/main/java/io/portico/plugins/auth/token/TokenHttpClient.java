package io.portico.plugins.auth.token;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK HTTP client the token plugins use to reach authorization servers, with its own small pool
 * of daemon threads (responses complete there, never on an event loop). Shared across reloads
 * through {@code PluginContext.shared}; closing it stops the threads. {@link JwksCache} has one of
 * its own.
 */
final class TokenHttpClient implements AutoCloseable {

  private final ExecutorService executor;
  private final HttpClient client;

  TokenHttpClient() {
    this("portico-auth-http-");
  }

  /** A client whose threads are named {@code threadPrefix} and a number. */
  TokenHttpClient(String threadPrefix) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, threadPrefix + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .executor(executor)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
