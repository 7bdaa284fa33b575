package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client connection makes the records of its exchanges with one builder ({@code
 * ExchangeRecords.of}): each record holds its own exchange's facts, nothing of the one before.
 */
class ConnectionRecordsTest {

  private TestOrigin origin;
  private GatewayFixture gw;
  private final List<ExchangeRecord> records = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void eachRecordOfAKeepAliveConnectionHoldsOnlyItsOwnExchange() throws Exception {
    origin = TestOrigin.start();
    ExchangeObserver observer =
        record -> {
          synchronized (records) {
            records.add(record);
          }
        };
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: hello
                paths: [ "/hello" ]
                service: backend
            """
                .formatted(origin.authority()),
            observer);
    try (RawClient client = gw.raw()) {
      client.send("GET /hello?a=1 HTTP/1.1\r\nHost: one.example\r\nUser-Agent: first/1\r\n\r\n");
      assertThat(client.readUntil("Hello, World!", 10_000)).contains("200");
      client.send("GET /nothing HTTP/1.1\r\nHost: two.example\r\n\r\n");
      assertThat(client.readUntil("no-route", 10_000)).contains("404");
      client.send("GET /hello HTTP/1.1\r\nHost: three.example\r\n\r\n");
      assertThat(client.readUntil("Hello, World!", 10_000)).contains("200");
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> size() >= 3);
    List<ExchangeRecord> seen;
    synchronized (records) {
      seen = List.copyOf(records);
    }
    ExchangeRecord first = seen.get(0);
    ExchangeRecord second = seen.get(1);
    ExchangeRecord third = seen.get(2);
    assertThat(first.host()).isEqualTo("one.example");
    assertThat(first.userAgent()).isEqualTo("first/1");
    assertThat(first.query()).isEqualTo("a=1");
    assertThat(first.route()).isEqualTo("hello");
    assertThat(first.upstream()).isEqualTo(origin.authority());
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(second.host()).isEqualTo("two.example");
    assertThat(second.userAgent()).isNull();
    assertThat(second.query()).isNull();
    assertThat(second.route()).isNull();
    assertThat(second.upstream()).isNull();
    assertThat(second.attempts()).isZero();
    assertThat(second.failure()).isEqualTo("no_route");
    assertThat(second.status()).isEqualTo(404);
    assertThat(third.host()).isEqualTo("three.example");
    assertThat(third.failure()).isNull();
    assertThat(third.status()).isEqualTo(200);
    assertThat(List.of(first.requestId(), second.requestId(), third.requestId()))
        .doesNotHaveDuplicates();
    assertThat(first).isNotSameAs(third);
  }

  private int size() {
    synchronized (records) {
      return records.size();
    }
  }
}
