package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarding fields of an untrusted client's request on a route without plugins are encoded
 * once per connection and Host and written by the upstream encoder beside the head's map ({@code
 * ForwardingPolicy.encodedForUntrusted}): what the upstream receives must be what the map path
 * writes, for every request of a keep-alive connection, and a reader of the record's request
 * headers must still find them in the map.
 */
class EncodedForwardingFieldsTest {

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  private static final List<String> FORWARDING =
      List.of(
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "x-forwarded-port",
          "forwarded",
          "via");

  private RawHttpOrigin origin;
  private GatewayFixture gw;

  /** Each finished exchange's request headers: the forwarding fields the map holds, as lines. */
  private final List<List<String>> recorded = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  /** A route without plugins ({@code /plain}) and one whose plugin makes it take the map path. */
  private void start(boolean observerReadsHeaders) throws Exception {
    origin =
        RawHttpOrigin.start("encoded-forwarding-origin", head -> RawHttpOrigin.Answer.then(OK));
    ExchangeObserver observer =
        new ExchangeObserver() {
          @Override
          public void onExchangeComplete(ExchangeRecord record) {
            HttpHeaders h = record.requestHeaders();
            List<String> lines = new ArrayList<>();
            if (h != null) {
              for (String name : FORWARDING) {
                for (String value : h.getAll(name)) {
                  lines.add(name + ": " + value);
                }
              }
            }
            synchronized (recorded) {
              recorded.add(lines);
            }
          }

          @Override
          public boolean readsRequestHeaders() {
            return observerReadsHeaders;
          }
        };
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: plain
                paths: [ "/plain" ]
                service: backend
              - name: stamped
                paths: [ "/stamped" ]
                service: backend
                plugins:
                  request-headers: { set: { X-Stamp: yes } }
            """
                .formatted(origin.port()),
            observer);
  }

  private static void exchange(RawClient client, String request) throws Exception {
    client.send(request);
    assertThat(client.readUntil("ok", 10_000)).contains("200 OK");
  }

  /** The forwarding field lines of an upstream head, in the order the head has them. */
  private static List<String> forwardingLines(String head) {
    List<String> lines = new ArrayList<>();
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && FORWARDING.contains(line.substring(0, colon).toLowerCase(Locale.ROOT))) {
        lines.add(line);
      }
    }
    return lines;
  }

  private List<List<String>> recorded(int count) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recordedSize() >= count);
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  private int recordedSize() {
    synchronized (recorded) {
      return recorded.size();
    }
  }

  private List<String> expected(String host) {
    return List.of(
        "x-forwarded-for: 127.0.0.1",
        "x-forwarded-proto: http",
        "x-forwarded-host: " + host,
        "x-forwarded-port: " + gw.port(),
        "forwarded: for=127.0.0.1;proto=http;host=" + host,
        "via: 1.1 portico");
  }

  @Test
  void eachRequestOfAConnectionGetsTheFieldsOfItsHostOnceAsTheMapPathWritesThem() throws Exception {
    start(false);
    try (RawClient client = gw.raw()) {
      // what only a proxy may say is removed, the client's Forwarded replaced
      exchange(
          client,
          "GET /plain HTTP/1.1\r\nHost: a.example\r\nForwarded: for=6.6.6.6\r\n"
              + "X-Forwarded-Host: evil.example\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");
      exchange(client, "GET /plain HTTP/1.1\r\nHost: b.example\r\n\r\n");
      exchange(client, "GET /plain HTTP/1.1\r\nHost: b.example\r\n\r\n");
      exchange(client, "GET /plain HTTP/1.1\r\nHost: a.example\r\n\r\n");
      exchange(client, "GET /stamped HTTP/1.1\r\nHost: a.example\r\n\r\n");
    }
    List<String> heads = origin.heads();
    assertThat(heads).hasSize(5);
    assertThat(forwardingLines(heads.get(0))).containsExactlyElementsOf(expected("a.example"));
    assertThat(forwardingLines(heads.get(1))).containsExactlyElementsOf(expected("b.example"));
    assertThat(forwardingLines(heads.get(2))).containsExactlyElementsOf(expected("b.example"));
    assertThat(forwardingLines(heads.get(3))).containsExactlyElementsOf(expected("a.example"));
    // the map path (a plugin saw the head) writes the same fields
    assertThat(forwardingLines(heads.get(4))).containsExactlyElementsOf(expected("a.example"));
    for (String head : heads) {
      assertThat(head).doesNotContain("6.6.6.6").doesNotContain("evil.example");
      assertThat(head).endsWith("\r\n\r\n").doesNotContain("\r\n\r\n\r\n");
    }
    // an observer that does not read the headers leaves the encoded fields out of the map
    List<List<String>> maps = recorded(5);
    assertThat(maps.get(0)).isEmpty();
    assertThat(maps.get(1)).isEmpty();
    assertThat(maps.get(4)).containsExactlyInAnyOrderElementsOf(expected("a.example"));
  }

  @Test
  void anObserverThatReadsTheRequestHeadersFindsTheFieldsInTheMap() throws Exception {
    start(true);
    try (RawClient client = gw.raw()) {
      exchange(client, "GET /plain HTTP/1.1\r\nHost: a.example\r\n\r\n");
      exchange(client, "GET /plain HTTP/1.1\r\nHost: c.example\r\n\r\n");
    }
    List<List<String>> maps = recorded(2);
    assertThat(maps.get(0)).containsExactlyInAnyOrderElementsOf(expected("a.example"));
    assertThat(maps.get(1)).containsExactlyInAnyOrderElementsOf(expected("c.example"));
    // and the upstream got them once, not again from the map
    for (String head : origin.heads()) {
      assertThat(forwardingLines(head)).hasSize(6);
    }
  }

  @Test
  void aClientsViaIsKeptAndTheGatewaysAppended() throws Exception {
    start(false);
    try (RawClient client = gw.raw()) {
      exchange(client, "GET /plain HTTP/1.1\r\nHost: a.example\r\nVia: 1.0 client-proxy\r\n\r\n");
      exchange(client, "GET /plain HTTP/1.1\r\nHost: a.example\r\n\r\n");
    }
    List<String> heads = origin.heads();
    assertThat(forwardingLines(heads.get(0)))
        .contains("via: 1.0 client-proxy, 1.1 portico", "x-forwarded-for: 127.0.0.1")
        .hasSize(6);
    assertThat(forwardingLines(heads.get(1))).containsExactlyElementsOf(expected("a.example"));
  }

  @Test
  void aRequestWithABodyGetsTheFieldsBeforeItsBody() throws Exception {
    start(false);
    try (RawClient client = gw.raw()) {
      exchange(client, "POST /plain HTTP/1.1\r\nHost: a.example\r\nContent-Length: 4\r\n\r\nping");
    }
    // the origin reads heads only: the body is what follows the head's blank line
    List<String> heads = origin.heads();
    assertThat(heads).hasSize(1);
    assertThat(forwardingLines(heads.get(0))).containsExactlyElementsOf(expected("a.example"));
    assertThat(heads.get(0).toLowerCase(Locale.ROOT)).contains("content-length: 4\r\n");
  }
}
