package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.app.Gateway;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observers that keep no record ({@link ExchangeObserver#keepsRecords} false, as the metrics) read
 * their connection's shared record, filled anew for each exchange: each exchange's values, never
 * the previous exchange's. {@code ConnectionRecordsTest} shows that an observer that keeps records
 * gets records of their own.
 */
class SharedRecordTest {

  /** What an observer read of one record while it was told of it. */
  private record Seen(
      ExchangeRecord record,
      @Nullable String host,
      @Nullable String userAgentHeader,
      @Nullable String userAgent,
      @Nullable String query,
      @Nullable String route,
      @Nullable String upstream,
      int attempts,
      @Nullable String failure,
      int status,
      String path,
      @Nullable String requestId) {}

  @TempDir Path dir;
  private TestOrigin origin;
  private Gateway gateway;
  private final List<Seen> seen = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void theSharedRecordOfAKeepAliveConnectionHoldsOnlyTheExchangeBeingObserved() throws Exception {
    origin = TestOrigin.start();
    ExchangeObserver reader =
        new ExchangeObserver() {
          @Override
          public void onExchangeComplete(ExchangeRecord r) {
            Seen s =
                new Seen(
                    r,
                    r.host(),
                    r.requestHeaders() == null ? null : r.requestHeaders().get("User-Agent"),
                    r.userAgent(),
                    r.query(),
                    r.route(),
                    r.upstream(),
                    r.attempts(),
                    r.failure(),
                    r.status(),
                    r.path(),
                    r.requestId());
            synchronized (seen) {
              seen.add(s);
            }
          }

          @Override
          public boolean keepsRecords() {
            return false;
          }
        };
    Path config = dir.resolve("portico.yaml");
    Files.writeString(
        config,
        """
        listeners:
          - address: 127.0.0.1:0
        admin: off
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: hello
            paths: [ "/hello" ]
            service: backend
        runtime:
          io-threads: 1
          watch-config: false
          access-log: off
          shutdown-timeout: 1s
        """
            .formatted(origin.authority()));
    gateway = Gateway.start(config, Map.of(), reader);
    try (RawClient client = new RawClient(gateway.listeners().get(0))) {
      client.send("GET /hello?a=1 HTTP/1.1\r\nHost: one.example\r\nUser-Agent: first/1\r\n\r\n");
      assertThat(client.readUntil("Hello, World!", 10_000)).contains("200");
      client.send("GET /nothing HTTP/1.1\r\nHost: two.example\r\n\r\n");
      assertThat(client.readUntil("no-route", 10_000)).contains("404");
      client.send("GET /hello HTTP/1.1\r\nHost: three.example\r\n\r\n");
      assertThat(client.readUntil("Hello, World!", 10_000)).contains("200");
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> size() >= 3);
    List<Seen> all;
    synchronized (seen) {
      all = List.copyOf(seen);
    }
    Seen first = all.get(0);
    Seen second = all.get(1);
    Seen third = all.get(2);
    // one record, filled anew for each exchange of the connection
    assertThat(second.record()).isSameAs(first.record());
    assertThat(third.record()).isSameAs(first.record());
    assertThat(first.host()).isEqualTo("one.example");
    assertThat(first.userAgent()).isEqualTo("first/1").isEqualTo(first.userAgentHeader());
    assertThat(first.query()).isEqualTo("a=1");
    assertThat(first.route()).isEqualTo("hello");
    assertThat(first.upstream()).isEqualTo(origin.authority());
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.path()).isEqualTo("/hello");
    assertThat(second.host()).isEqualTo("two.example");
    assertThat(second.userAgent()).isNull();
    assertThat(second.userAgentHeader()).isNull();
    assertThat(second.query()).isNull();
    assertThat(second.route()).isNull();
    assertThat(second.upstream()).isNull();
    assertThat(second.attempts()).isZero();
    assertThat(second.failure()).isEqualTo("no_route");
    assertThat(second.status()).isEqualTo(404);
    assertThat(second.path()).isEqualTo("/nothing");
    assertThat(third.host()).isEqualTo("three.example");
    assertThat(third.userAgent()).isNull();
    assertThat(third.userAgentHeader()).isNull();
    assertThat(third.query()).isNull();
    assertThat(third.failure()).isNull();
    assertThat(third.status()).isEqualTo(200);
    assertThat(List.of(first.requestId(), second.requestId(), third.requestId()))
        .doesNotContainNull()
        .doesNotHaveDuplicates();
  }

  private int size() {
    synchronized (seen) {
      return seen.size();
    }
  }
}
