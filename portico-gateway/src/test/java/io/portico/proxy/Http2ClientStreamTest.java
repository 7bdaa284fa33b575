package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.internal.PlatformDependent;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.RawH2Client;
import io.portico.testing.TestOrigin;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streams of one HTTP/2 client connection, each a plain {@link Http2ClientStream} with its own
 * exchange, on real sockets: many at once keep their bodies apart, a stream the client resets ends
 * its exchange and nothing else, and a client that stops reading holds its upstream back.
 */
class Http2ClientStreamTest {

  private TestOrigin origin;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            limits:
              http2-max-concurrent-streams: 128
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            """
                .formatted(origin.authority()));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  @Test
  void aHundredConcurrentStreamsEachGetTheirOwnBodyBack() throws Exception {
    try (H2Client h2 = H2Client.connect(gw.address())) {
      List<byte[]> bodies = new ArrayList<>();
      List<CompletableFuture<H2Client.Response>> responses = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        byte[] body = ("stream " + i + ";").repeat(100 + i * 37).getBytes(StandardCharsets.UTF_8);
        bodies.add(body);
        responses.add(h2.send(H2Client.request(HttpMethod.POST, "/echo", authority(), body)));
      }
      for (int i = 0; i < 100; i++) {
        H2Client.Response r = responses.get(i).get(20, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(new String(bodies.get(i), StandardCharsets.UTF_8));
      }
      assertThat(h2.isOpen()).isTrue();
    }
    assertThat(origin.requestCount()).isEqualTo(100);
  }

  @Test
  void aStreamTheClientResetsMidBodyEndsItsExchangeAndLeavesTheConnectionServing()
      throws Exception {
    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/count", authority());
      client.data(1, new byte[1000], false).flush();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> origin.lastRequest() != null && origin.lastRequest().uri().equals("/count"));
      client.reset(1).flush();
      client.get(3, "/hello", authority()).flush();

      assertThat(client.responseBody(3).get(10, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= 2);
      ExchangeRecord reset =
          gw.records().stream().filter(r -> r.path().equals("/count")).findFirst().orElseThrow();
      assertThat(reset.failure()).isEqualTo("downstream_closed");
      // The client's reset closed the stream: the gateway sends none of its own.
      assertThat(client.resetsReceived()).isZero();
    }
  }

  @Test
  void aClientThatStopsReadingHoldsItsUpstreamBackAndOtherStreamsStillGetTheirHeads()
      throws Exception {
    BufferPoolMXBean jdkDirect =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    try (RawH2Client client = new RawH2Client(gw.address())) {
      // The raw client never sends WINDOW_UPDATE: 64 KiB of the 256 MiB body is all it takes.
      client.preface().get(1, "/download?bytes=268435456", authority()).flush();
      assertThat(client.status(1).get(10, TimeUnit.SECONDS)).isEqualTo("200");

      long maxDirect = 0;
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < until) {
        long direct = Math.max(0, PlatformDependent.usedDirectMemory()) + jdkDirect.getMemoryUsed();
        maxDirect = Math.max(maxDirect, direct);
        Thread.sleep(20);
      }
      client.get(3, "/hello", authority()).flush();

      assertThat(client.status(3).get(10, TimeUnit.SECONDS)).isEqualTo("200");
      assertThat(client.responseBody(1)).isNotDone();
      // Unbounded, the gateway would have read most of the 256 MiB within the two seconds.
      assertThat(maxDirect).isLessThan(96L * 1024 * 1024);
    }
  }
}
