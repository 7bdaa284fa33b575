package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client connection decodes a request into the one before it when that one's exchange gave it
 * back ({@link ClientCodec#recycle}): nothing of one request may show in the next, and only an
 * exchange that nothing else read gives its request back.
 */
class RequestReuseEndToEndTest {

  private static final String HELLO = "Hello, World!";

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  /** The request header maps the observer saw, by reference; their contents are not read here. */
  private final List<HttpHeaders> seen = new ArrayList<>();

  private final ExchangeObserver observer =
      new ExchangeObserver() {
        @Override
        public void onExchangeComplete(ExchangeRecord record) {
          synchronized (seen) {
            seen.add(record.requestHeaders());
          }
        }
      };

  private void start(String routePlugins) throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: plain
                paths: [ "/hello" ]
                service: backend
              - name: stamped
                paths: [ "/stamped" ]
                strip-prefix: true
                service: backend
                plugins:
                  %s
            """
                .formatted(env.origin().authority(), routePlugins),
            observer);
  }

  private static void exchange(RawClient client, String request, String marker) throws Exception {
    client.send(request);
    assertThat(client.readUntil(marker, 10_000)).contains(marker);
  }

  /** The maps of the first {@code count} exchanges, once the observer has seen that many. */
  private List<HttpHeaders> seen(int count) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seenSize() >= count);
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  private int seenSize() {
    synchronized (seen) {
      return seen.size();
    }
  }

  @Test
  void eachRequestOnAKeepAliveConnectionIsForwardedWithOnlyItsOwnFields() throws Exception {
    start("request-headers: { set: { X-Stamp: yes } }");
    try (RawClient client = gw.raw()) {
      exchange(
          client,
          "GET /hello?n=1 HTTP/1.1\r\nHost: one.example\r\nX-Only-First: 1\r\nCookie: a=1\r\n"
              + "X-Forwarded-For: 10.0.0.1\r\n\r\n",
          HELLO);
      exchange(
          client,
          "POST /hello?n=2 HTTP/1.1\r\nHost: two.example\r\nContent-Length: 4\r\n\r\nping",
          HELLO);
      exchange(client, "GET /hello?n=3 HTTP/1.1\r\nHost: three.example\r\n\r\n", HELLO);
      exchange(client, "GET /hello?n=4 HTTP/1.0\r\nHost: four.example\r\n\r\n", HELLO);
    }
    List<HttpRequest> forwarded = env.origin().requests();
    assertThat(forwarded).hasSize(4);
    assertThat(forwarded)
        .extracting(HttpRequest::uri)
        .containsExactly("/hello?n=1", "/hello?n=2", "/hello?n=3", "/hello?n=4");
    assertThat(forwarded)
        .extracting(HttpRequest::method)
        .containsExactly(HttpMethod.GET, HttpMethod.POST, HttpMethod.GET, HttpMethod.GET);
    assertThat(forwarded.get(0).headers().get("x-only-first")).isEqualTo("1");
    assertThat(forwarded.get(0).headers().get("cookie")).isEqualTo("a=1");
    assertThat(forwarded.get(1).headers().get("content-length")).isEqualTo("4");
    for (HttpRequest later : forwarded.subList(1, 4)) {
      assertThat(later.headers().contains("x-only-first")).isFalse();
      assertThat(later.headers().contains("cookie")).isFalse();
    }
    // a body-less request goes on without the second request's length (at most the gateway's 0)
    assertThat(forwarded.get(2).headers().getAll("content-length")).isSubsetOf("0");
    assertThat(forwarded.get(3).headers().getAll("content-length")).isSubsetOf("0");
    List<String> ids = new ArrayList<>();
    for (HttpRequest r : forwarded) {
      // one X-Forwarded-For each: the gateway's, not one added to what an earlier request left
      assertThat(r.headers().getAll("x-forwarded-for")).hasSize(1);
      assertThat(r.headers().getAll("x-request-id")).hasSize(1);
      ids.add(r.headers().get("x-request-id"));
    }
    assertThat(ids).doesNotHaveDuplicates();
  }

  @Test
  void aPlainExchangeGivesItsRequestBackAndTheNextRequestDecodesIntoIt() throws Exception {
    start("request-headers: { set: { X-Stamp: yes } }");
    try (RawClient client = gw.raw()) {
      exchange(client, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      exchange(client, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
    }
    List<HttpHeaders> maps = seen(2);
    assertThat(maps).hasSize(2);
    assertThat(maps.get(1)).isSameAs(maps.get(0));
  }

  @Test
  void aRequestAPluginSawIsNotGivenBack() throws Exception {
    start("request-headers: { set: { X-Stamp: yes } }");
    try (RawClient client = gw.raw()) {
      exchange(client, "GET /stamped/hello HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      exchange(client, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      exchange(client, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
    }
    List<HttpHeaders> maps = seen(3);
    assertThat(maps).hasSize(3);
    assertThat(maps.get(1)).isNotSameAs(maps.get(0));
    assertThat(maps.get(2)).isSameAs(maps.get(1));
    assertThat(env.origin().requests().get(0).headers().get("x-stamp")).isEqualTo("yes");
    assertThat(env.origin().requests().get(1).headers().contains("x-stamp")).isFalse();
  }

  @Test
  void aFailedExchangeKeepsItsRequest() throws Exception {
    start("request-headers: { set: { X-Stamp: yes } }");
    try (RawClient client = gw.raw()) {
      exchange(client, "GET /nothing-here HTTP/1.1\r\nHost: a\r\n\r\n", "no-route");
      exchange(client, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
    }
    List<HttpHeaders> maps = seen(2);
    assertThat(maps).hasSize(2);
    assertThat(maps.get(1)).isNotSameAs(maps.get(0));
  }
}
