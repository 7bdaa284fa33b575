package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Gateway#close()} drains: exchanges in flight finish, no new connection is accepted, and
 * idle keep-alive connections are closed at once rather than at the drain timeout.
 */
class GracefulShutdownTest {

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            runtime:
              io-threads: 1
              watch-config: false
              access-log: off
              shutdown-timeout: 10s
            """
                .formatted(env.origin().authority()));
  }

  /** Sends {@code GET path} on its own connection and reads until the gateway closes it. */
  private CompletableFuture<String> rawGetInBackground(String path) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (RawClient c = gw.raw()) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").readAvailable(5000);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private CompletableFuture<Void> closeInBackground() {
    return CompletableFuture.runAsync(() -> gw.gateway().close());
  }

  private boolean accepts() {
    try (Socket s = new Socket("127.0.0.1", gw.port())) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void closeLetsARequestInFlightFinishWith200() throws Exception {
    CompletableFuture<String> slow = rawGetInBackground("/delay/800");
    await().atMost(Duration.ofSeconds(5)).until(() -> env.origin().requestCount() == 1);

    CompletableFuture<Void> closing = closeInBackground();

    String got = slow.get(10, TimeUnit.SECONDS);
    assertThat(got).startsWith("HTTP/1.1 200").contains("connection: close").endsWith("late");
    closing.get(10, TimeUnit.SECONDS);
    assertThat(gw.records()).singleElement().satisfies(r -> assertThat(r.failure()).isNull());
  }

  @Test
  void refusesNewConnectionsOnceCloseStarts() throws Exception {
    assertThat(accepts()).isTrue();
    CompletableFuture<String> slow = rawGetInBackground("/delay/1500");
    await().atMost(Duration.ofSeconds(5)).until(() -> env.origin().requestCount() == 1);

    CompletableFuture<Void> closing = closeInBackground();

    await().atMost(Duration.ofSeconds(1)).until(() -> !accepts());
    assertThat(slow).as("still draining while new connections are refused").isNotDone();
    assertThat(slow.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200");
    closing.get(10, TimeUnit.SECONDS);
  }

  @Test
  void readyAnswers503WhileDraining() throws Exception {
    assertThat(gw.admin("/ready").statusCode()).isEqualTo(200);
    CompletableFuture<String> slow = rawGetInBackground("/delay/1500");
    await().atMost(Duration.ofSeconds(5)).until(() -> env.origin().requestCount() == 1);

    CompletableFuture<Void> closing = closeInBackground();

    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> gw.admin("/ready"), r -> r.statusCode() == 503);
    HttpResponse<String> ready = gw.admin("/ready");
    assertThat(ready.body()).contains("\"ready\":false");
    assertThat(slow.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200");
    closing.get(10, TimeUnit.SECONDS);
  }

  @Test
  void closesAConnectionWhoseResponseBeganBeforeCloseAsSoonAsTheResponseEnds() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("GET /slow-body/800 HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = c.readUntil("first,", 5000);
      assertThat(head).startsWith("HTTP/1.1 200").doesNotContain("connection: close");

      long started = System.nanoTime();
      CompletableFuture<Void> closing = closeInBackground();

      String rest = c.readAvailable(5000);
      assertThat(head + rest).contains("first,").contains("second").endsWith("0\r\n\r\n");
      assertThat(c.closedByServer(100)).isTrue();
      // The drain allows 10 s; it must end with the last exchange, not at the timeout.
      closing.get(5, TimeUnit.SECONDS);
      System.out.printf(
          "close() returned %d ms after it began, with a response under way%n",
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  @Test
  void closesIdleKeepAliveConnectionsPromptlyWhileOthersDrain() throws Exception {
    try (RawClient idle = gw.raw()) {
      String first =
          idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("Hello, World!", 5000);
      assertThat(first).startsWith("HTTP/1.1 200").doesNotContain("connection: close");
      CompletableFuture<String> slow = rawGetInBackground("/delay/2000");
      await().atMost(Duration.ofSeconds(5)).until(() -> env.origin().requestCount() == 2);

      long started = System.nanoTime();
      CompletableFuture<Void> closing = closeInBackground();

      // The drain waits up to 10 s for the slow request; the idle connection must not wait.
      assertThat(idle.closedByServer(1500)).isTrue();
      System.out.printf(
          "idle keep-alive connection closed %d ms after close() began%n",
          (System.nanoTime() - started) / 1_000_000);
      assertThat(slow).isNotDone();
      assertThat(slow.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200");
      closing.get(10, TimeUnit.SECONDS);
    }
  }
}
