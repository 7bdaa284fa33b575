package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawH2Origin;
import io.portico.testing.RawH2Origin.Conn;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A service's {@code http2.max-control-frames-per-window} and {@code http2.control-frame-window}:
 * an upstream ({@link RawH2Origin}, frame by frame) that sends more PINGs than the service's budget
 * loses its connection (GOAWAY {@code ENHANCE_YOUR_CALM}), the POST in flight on it is answered
 * with 502 {@code upstream_reset_before_response} and the gateway goes on serving on a new
 * connection; one that stays within the budget keeps its connection.
 */
class H2ControlFrameBudgetTest {

  /** The budget under test; the upstream's SETTINGS frame counts against it too. */
  private static final int BUDGET = 8;

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private RawH2Origin origin(RawH2Origin.Script first) throws Exception {
    RawH2Origin o = new RawH2Origin(n -> n == 0 ? first : c -> c.serve("fine"));
    closing.add(o);
    return o;
  }

  private GatewayFixture gateway(RawH2Origin origin) throws Exception {
    GatewayFixture gw =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
            services:
              - name: up
                targets: ["127.0.0.1:%d"]
                protocol: h2c
                http2:
                  max-control-frames-per-window: %d
                  control-frame-window: 1m
            routes:
              - name: all
                paths: [ / ]
                service: up
            """
                .formatted(origin.port(), BUDGET));
    closing.add(gw);
    return gw;
  }

  private static HttpResponse<String> post(GatewayFixture gw, String path) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString("payload")));
  }

  /** SETTINGS, then on the first request {@code pings} PINGs; the request is answered after. */
  private static RawH2Origin.Script pingsAfterRequest(int pings) {
    return c -> {
      c.settings().flush();
      int stream = c.request().streamId();
      for (int i = 0; i < pings && !c.closed().isDone(); i++) {
        c.ping(i);
      }
      c.flush();
      if (!c.closed().isDone()) {
        c.respond(stream, "kept");
        c.respondAll("kept");
      }
    };
  }

  @Test
  void morePingsThanTheServicesBudgetEndTheConnectionAndThePostInFlightFailsAs502()
      throws Exception {
    // 40 PINGs: far below the default budget of 1000, far above this service's.
    RawH2Origin origin = origin(pingsAfterRequest(40));
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = post(gw, "/flood");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(r.body()).contains("upstream-reset-before-response");
    Conn first = origin.conn(0);
    assertThat(first.goAway().get(10, TimeUnit.SECONDS))
        .isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
    first.closed().get(10, TimeUnit.SECONDS);
    assertThat(first.pingAcks()).isLessThanOrEqualTo(BUDGET);

    HttpResponse<String> after = gw.get("/after");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).isEqualTo("fine");
    assertThat(origin.connections()).isEqualTo(2);
  }

  @Test
  void pingsWithinTheBudgetKeepTheConnection() throws Exception {
    // The SETTINGS frame and these PINGs stay within the budget (one PING is free for the DATA
    // frame of the POST's body).
    RawH2Origin origin = origin(pingsAfterRequest(BUDGET - 1));
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = post(gw, "/within");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("kept");
    HttpResponse<String> again = gw.get("/again");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("kept");
    assertThat(origin.connections()).isEqualTo(1);
    assertThat(origin.conn(0).goAway()).isNotDone();
  }
}
