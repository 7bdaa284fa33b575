package io.portico.plugins.ratelimit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Concurrent load for the accuracy tests. */
final class Load {

  private Load() {}

  /**
   * Sends {@code n} GETs from {@code threads} threads at once, request {@code i} to {@code
   * uri.apply(i)}; returns how many were answered 200. Fails if any request fails.
   */
  static int admitted(int n, int threads, IntFunction<URI> uri) {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger ok = new AtomicInteger();
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        URI target = uri.apply(i);
        all.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    int s =
                        client
                            .send(
                                HttpRequest.newBuilder(target)
                                    .timeout(Duration.ofSeconds(20))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                    if (s == 200) {
                      ok.incrementAndGet();
                    } else if (s != 429) {
                      throw new IllegalStateException("status " + s + " from " + target);
                    }
                  } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                  }
                },
                pool));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdownNow();
    }
    return ok.get();
  }

  /**
   * Waits, when needed, until the current minute has at least {@code margin} left, so a burst sent
   * now falls within one epoch-aligned minute window.
   */
  static void awayFromMinuteEdge(Duration margin) throws InterruptedException {
    LocalTime now = LocalTime.now();
    long intoMinute = now.getSecond() * 1000L + now.getNano() / 1_000_000;
    if (60_000 - intoMinute < margin.toMillis()) {
      Thread.sleep(60_000 - intoMinute + 200);
    }
  }
}
