package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Odd-but-legal request heads, read by the client codec's own parser, reach the origin with the
 * client's field names and values byte for byte (values trimmed of white space at both ends, as
 * HTTP defines them), one keep-alive connection after another and pipelined, each request with its
 * own fields and nothing of the one before.
 */
class PlainHeadForwardingTest {

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  private static RawHttpOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = RawHttpOrigin.start("plain-head-origin", head -> RawHttpOrigin.Answer.then(OK));
    gw = GatewayFixture.start(GatewayFixture.proxyAllTo("127.0.0.1:" + origin.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  /** Request target, then field lines as the client sends them (after Host). */
  private static final List<List<String>> HEADS =
      List.of(
          List.of("/a", "User-Agent: one"),
          List.of("/a?x=1&y=%20z", "x-odd-CASE: Value", "X-Empty:", "X-Inner: a  b\tc"),
          List.of("/b", "USER-AGENT:two", "X-Tabs:\t\tpadded\t ", "X-Sym: !#$%&'*+-.^_`|~"),
          List.of("/c", "X-Two: a", "x-two: b", "Accept: */*", "Cookie: k=v; l=w"),
          List.of("/a", "User-Agent: one"),
          List.of("/d"));

  private static String request(List<String> head) {
    StringBuilder raw = new StringBuilder("GET ").append(head.get(0)).append(" HTTP/1.1\r\n");
    raw.append("Host: plain.test\r\n");
    for (String field : head.subList(1, head.size())) {
      raw.append(field).append("\r\n");
    }
    return raw.append("\r\n").toString();
  }

  /** A field line as the upstream encoder writes it: name as sent, ": ", the trimmed value. */
  private static String forwarded(String field) {
    int colon = field.indexOf(':');
    return field.substring(0, colon) + ": " + field.substring(colon + 1).strip();
  }

  @Test
  void forwardsEachHeadsFieldsAsSentOnOneConnection() throws Exception {
    origin.heads().clear();
    try (RawClient c = gw.raw()) {
      for (List<String> head : HEADS) {
        String got = c.send(request(head)).readUntil("\r\n\r\nok", 5000);
        assertThat(got).startsWith("HTTP/1.1 200");
      }
    }
    assertForwarded(HEADS);
  }

  @Test
  void forwardsPipelinedHeadsInOrderEachWithItsOwnFields() throws Exception {
    origin.heads().clear();
    StringBuilder all = new StringBuilder();
    for (List<String> head : HEADS) {
      all.append(request(head));
    }
    try (RawClient c = gw.raw()) {
      c.send(all.toString());
      StringBuilder got = new StringBuilder();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (count(got.toString(), "HTTP/1.1 200") < HEADS.size() && System.nanoTime() < deadline) {
        got.append(c.readAvailable(100));
      }
      assertThat(count(got.toString(), "HTTP/1.1 200")).isEqualTo(HEADS.size());
    }
    assertForwarded(HEADS);
  }

  private static void assertForwarded(List<List<String>> heads) {
    Awaitility.await().until(() -> origin.heads().size() >= heads.size());
    List<String> received = new ArrayList<>(origin.heads());
    assertThat(received).hasSize(heads.size());
    for (int i = 0; i < heads.size(); i++) {
      List<String> head = heads.get(i);
      String got = received.get(i);
      assertThat(got).as("request %d", i).startsWith("GET " + head.get(0) + " HTTP/1.1\r\n");
      List<String> lines = List.of(got.split("\r\n"));
      List<String> clientLines = new ArrayList<>();
      for (String line : lines) {
        if (isClientField(line)) {
          clientLines.add(line);
        }
      }
      List<String> expected = new ArrayList<>();
      for (String field : head.subList(1, head.size())) {
        expected.add(forwarded(field));
      }
      assertThat(clientLines).as("request %d: %s", i, got).isEqualTo(expected);
    }
  }

  /** A line of a field the client sent, not one the gateway sets (Host, forwarding, framing). */
  private static boolean isClientField(String line) {
    String lower = line.toLowerCase(java.util.Locale.ROOT);
    return line.indexOf(':') > 0
        && !lower.startsWith("host:")
        && !lower.startsWith("x-forwarded-")
        && !lower.startsWith("forwarded:")
        && !lower.startsWith("via:")
        && !lower.startsWith("x-request-id:")
        && !lower.startsWith("traceparent:")
        && !lower.startsWith("content-length:")
        && !lower.startsWith("connection:");
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }
}
