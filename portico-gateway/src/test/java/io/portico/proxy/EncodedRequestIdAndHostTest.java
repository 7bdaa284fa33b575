package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On the path whose forwarding fields are encoded beside the head's map, the generated request id
 * and each attempt's {@code Host} are encoded too ({@code UpstreamHead.prepare} and {@code host}):
 * the upstream must get what the map path writes, in the same order, each request of a keep-alive
 * connection its own id and {@code Host}, and the record and a reader of its request headers the
 * same values.
 */
class EncodedRequestIdAndHostTest {

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  private RawHttpOrigin origin;
  private GatewayFixture gw;

  /** Each finished exchange's request id, and the id and Host its request map holds. */
  private final List<String[]> recorded = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private void start(boolean observerReadsHeaders) throws Exception {
    start(observerReadsHeaders, true);
  }

  private void start(boolean observerReadsHeaders, boolean observerReadsId) throws Exception {
    origin = RawHttpOrigin.start("encoded-id-origin", head -> RawHttpOrigin.Answer.then(OK));
    ExchangeObserver observer =
        new ExchangeObserver() {
          @Override
          public void onExchangeComplete(ExchangeRecord record) {
            HttpHeaders h = record.requestHeaders();
            String[] seen = {
              record.requestId(),
              h == null ? null : h.get("x-request-id"),
              h == null ? null : h.get("host")
            };
            synchronized (recorded) {
              recorded.add(seen);
            }
          }

          @Override
          public boolean readsRequestHeaders() {
            return observerReadsHeaders;
          }

          @Override
          public boolean readsRequestId() {
            return observerReadsId;
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
              - name: kept
                paths: [ "/kept" ]
                service: backend
                preserve-host: true
              - name: stamped
                paths: [ "/stamped" ]
                service: backend
                plugins:
                  request-headers: { set: { X-Stamp: yes } }
            """
                .formatted(origin.port()),
            observer);
  }

  private static void exchange(RawClient client, String path, String host) throws Exception {
    client.send(
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\nX-Request-Id: spoofed-by-client\r\nAccept: */*\r\n\r\n");
    assertThat(client.readUntil("ok", 10_000)).contains("200 OK");
  }

  /** The values of {@code name}'s lines in an upstream head. */
  private static List<String> values(String head, String name) {
    List<String> values = new ArrayList<>();
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
        values.add(line.substring(colon + 1).trim());
      }
    }
    return values;
  }

  /** The field names of an upstream head, in order, lower-cased. */
  private static List<String> names(String head) {
    List<String> names = new ArrayList<>();
    String[] lines = head.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        names.add(lines[i].substring(0, colon).toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private List<String[]> recorded(int count) {
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

  @Test
  void eachRequestOfAConnectionGetsItsOwnIdAndHostWhereTheMapPathPutsThem() throws Exception {
    start(false);
    String endpoint = "127.0.0.1:" + origin.port();
    try (RawClient client = gw.raw()) {
      exchange(client, "/plain", "a.example");
      exchange(client, "/kept", "b.example");
      exchange(client, "/plain", "b.example");
      exchange(client, "/kept", "c.example");
      exchange(client, "/stamped", "a.example");
      exchange(client, "/plain", "a.example");
    }
    List<String> heads = origin.heads();
    assertThat(heads).hasSize(6);
    List<String> expectedHosts =
        List.of(endpoint, "b.example", endpoint, "c.example", endpoint, endpoint);
    List<String[]> records = recorded(6);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < heads.size(); i++) {
      String head = heads.get(i);
      List<String> id = values(head, "x-request-id");
      assertThat(id).hasSize(1);
      assertThat(id.get(0)).matches("[0-9a-f]{32}");
      ids.add(id.get(0));
      assertThat(records.get(i)[0]).isEqualTo(id.get(0));
      assertThat(values(head, "host")).containsExactly(expectedHosts.get(i));
      assertThat(head).doesNotContain("spoofed-by-client").endsWith("\r\n\r\n");
    }
    assertThat(ids).hasSize(6);
    // the encoded head has the map path's fields (the stamped route's head), the id and Host
    // where the encoded path always put them: after the client's fields, before the forwarding
    List<String> mapFields = names(heads.get(4));
    mapFields.remove("x-stamp");
    assertThat(names(heads.get(0)))
        .containsExactlyInAnyOrderElementsOf(mapFields)
        .containsExactly(
            "accept",
            "x-request-id",
            "host",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "x-forwarded-port",
            "forwarded",
            "via");
    // an observer that does not read the headers does not get the encoded fields in the map
    assertThat(records.get(0)[1]).isNull();
    assertThat(records.get(0)[2]).isNull();
  }

  @Test
  void anObserverThatReadsTheRequestHeadersFindsTheIdAndHostSentUpstream() throws Exception {
    start(true);
    try (RawClient client = gw.raw()) {
      exchange(client, "/plain", "a.example");
      exchange(client, "/kept", "b.example");
    }
    List<String> heads = origin.heads();
    List<String[]> records = recorded(2);
    for (int i = 0; i < 2; i++) {
      String id = values(heads.get(i), "x-request-id").get(0);
      assertThat(records.get(i)[0]).isEqualTo(id);
      assertThat(records.get(i)[1]).isEqualTo(id);
      assertThat(records.get(i)[2]).isEqualTo(values(heads.get(i), "host").get(0));
      // sent once, not again from the map
      assertThat(values(heads.get(i), "x-request-id")).hasSize(1);
      assertThat(values(heads.get(i), "host")).hasSize(1);
    }
    assertThat(records.get(1)[2]).isEqualTo("b.example");
  }

  @Test
  void anObserverThatDoesNotReadTheIdGetsNoneWhileTheUpstreamGetsEach() throws Exception {
    start(false, false);
    try (RawClient client = gw.raw()) {
      exchange(client, "/plain", "a.example");
      exchange(client, "/plain", "a.example");
    }
    List<String> heads = origin.heads();
    List<String[]> records = recorded(2);
    assertThat(values(heads.get(0), "x-request-id").get(0))
        .matches("[0-9a-f]{32}")
        .isNotEqualTo(values(heads.get(1), "x-request-id").get(0));
    assertThat(records.get(0)[0]).isNull();
    assertThat(records.get(1)[0]).isNull();
  }

  @Test
  void aRetryToAnotherTargetSendsThatTargetsHostOnce() throws Exception {
    origin = RawHttpOrigin.start("encoded-retry-origin", head -> RawHttpOrigin.Answer.then(OK));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d", "127.0.0.1:%d" ]
            routes:
              - name: plain
                paths: [ "/plain" ]
                service: backend
            """
                .formatted(closed, origin.port()));
    try (RawClient client = gw.raw()) {
      for (int i = 0; i < 4; i++) {
        exchange(client, "/plain", "a.example");
      }
    }
    List<String> heads = origin.heads();
    assertThat(heads).hasSize(4);
    for (String head : heads) {
      assertThat(values(head, "host")).containsExactly("127.0.0.1:" + origin.port());
      assertThat(values(head, "x-request-id")).hasSize(1);
    }
  }
}
