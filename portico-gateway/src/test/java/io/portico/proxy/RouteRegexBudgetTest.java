package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regex denial of service through a route's path regex: {@code ^/api/(.*)/(.*)/(.*)/items$} is an
 * ordinary thing to write, and {@code java.util.regex} backtracks for minutes before it fails on
 * {@code /api/x/x/x/...} a few kilobytes long, on the event loop that every connection of the loop
 * shares. The match is abandoned past a budget and the request refused with 400, and the gateway
 * goes on serving.
 */
class RouteRegexBudgetTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: items
                paths: [ "~^/api/(.*)/(.*)/(.*)/items$" ]
                service: backend
              - name: hello
                paths: [ "/hello" ]
                service: backend
            runtime:
              io-threads: 1
            """
                .formatted(env.origin().authority()));
  }

  @Test
  void aPathThatMakesARouteRegexBacktrackIsRefusedAndTheGatewayKeepsServing() throws Exception {
    int before = env.origin().requestCount();
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /api/" + "x/".repeat(1500) + " HTTP/1.1\r\nHost: x\r\n\r\n")
              .readUntil("}", 60_000);
      assertThat(got).startsWith("HTTP/1.1 400").contains("too complex");
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }
}
