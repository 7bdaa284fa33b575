package io.portico.upstream.h2;

import static io.portico.testing.RawH2Origin.SETTINGS_HEADER_TABLE_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.config.UpstreamProtocolConfig;
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
 * Upstreams that speak HTTP/2 badly on purpose, written frame by frame ({@link RawH2Origin}),
 * behind a gateway: floods of PING and SETTINGS, tiny and empty DATA, endless CONTINUATION,
 * oversized and malformed header blocks. Each ends the upstream connection (GOAWAY {@code
 * ENHANCE_YOUR_CALM} for a flood) or its stream, the calls on it fail as 502 or {@code UNAVAILABLE}
 * or are tried again on a new connection when they are idempotent, and the gateway goes on serving.
 */
class H2HostileUpstreamTest {

  private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();

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
                retry:
                  attempts: 1
                  budget-percent: 100
            routes:
              - name: all
                paths: [ / ]
                service: up
            """
                .formatted(origin.port()));
    closing.add(gw);
    return gw;
  }

  private static HttpResponse<String> post(GatewayFixture gw, String path) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString("payload")));
  }

  /** SETTINGS, then on the first request {@code flood}, flushed every 100 frames. */
  private static RawH2Origin.Script floodAfterRequest(Flood flood) {
    return c -> {
      c.settings().flush();
      int stream = c.request().streamId();
      for (int i = 0; i < 5000 && !c.closed().isDone(); i++) {
        flood.write(c, stream, i);
        if (i % 100 == 99) {
          c.flush();
        }
      }
      c.flush();
    };
  }

  private interface Flood {
    void write(Conn c, int stream, int i) throws Exception;
  }

  private static void assertCalmed(RawH2Origin origin) throws Exception {
    Conn first = origin.conn(0);
    assertThat(first.goAway().get(10, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
    first.closed().get(10, TimeUnit.SECONDS);
  }

  private static void assertServesOnANewConnection(GatewayFixture gw, RawH2Origin origin)
      throws Exception {
    int before = origin.connections();
    HttpResponse<String> r = gw.get("/after");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("fine");
    assertThat(origin.connections()).isGreaterThanOrEqualTo(Math.max(2, before));
  }

  @Test
  void aPingFloodEndsTheConnectionAndAPostFailsAs502() throws Exception {
    RawH2Origin origin = origin(floodAfterRequest((c, s, i) -> c.ping(i)));
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = post(gw, "/flood");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    assertCalmed(origin);
    assertThat(origin.conn(0).pingAcks())
        .isLessThanOrEqualTo(UpstreamProtocolConfig.DEFAULTS.maxControlFrames());
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void aSettingsFloodEndsTheConnectionAndAGetIsTriedAgainOnANewConnection() throws Exception {
    RawH2Origin origin = origin(floodAfterRequest((c, s, i) -> c.settings()));
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = gw.get("/flood");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("fine");
    assertCalmed(origin);
    assertThat(origin.connections()).isEqualTo(2);
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void aGrpcCallOnAFloodedConnectionFailsAsUnavailable() throws Exception {
    RawH2Origin origin = origin(floodAfterRequest((c, s, i) -> c.ping(i)));
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/pkg.Svc/Method"))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/grpc")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 0, 0, 0, 0})));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("grpc-status")).contains("14");
    assertCalmed(origin);
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void tinyDataFramesEndTheConnection() throws Exception {
    RawH2Origin origin =
        origin(
            floodAfterRequest(
                (c, s, i) -> {
                  if (i == 0) {
                    c.headers(s, RawH2Origin.status200(), true, false);
                  }
                  c.data(s, new byte[] {'x'}, false);
                }));
    GatewayFixture gw = gateway(origin);

    try {
      HttpResponse<String> r = post(gw, "/tiny");
      assertThat(r.body().length()).isLessThan(5000);
    } catch (java.io.IOException cutShort) {
      // the response had begun: the client's connection ends with it
    }

    assertCalmed(origin);
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void emptyDataFramesEndTheConnection() throws Exception {
    RawH2Origin origin =
        origin(
            floodAfterRequest(
                (c, s, i) -> {
                  if (i == 0) {
                    c.headers(s, RawH2Origin.status200(), true, false);
                  }
                  c.data(s, new byte[0], false);
                }));
    GatewayFixture gw = gateway(origin);

    try {
      post(gw, "/empty");
    } catch (java.io.IOException cutShort) {
      // the response had begun: the client's connection ends with it
    }

    assertCalmed(origin);
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void endlessContinuationFramesEndTheConnectionAndAPostFailsAs502() throws Exception {
    RawH2Origin origin =
        origin(
            floodAfterRequest(
                (c, s, i) -> {
                  if (i == 0) {
                    c.headers(s, RawH2Origin.status200(), false, false);
                  } else {
                    c.continuation(s, new byte[0], false);
                  }
                }));
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = post(gw, "/continuation");

    assertThat(r.statusCode()).isEqualTo(502);
    Conn first = origin.conn(0);
    assertThat(first.goAway().get(10, TimeUnit.SECONDS)).isNotZero();
    first.closed().get(10, TimeUnit.SECONDS);
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void aHeaderBlockBeyondTheListSizeFailsTheCall() throws Exception {
    // 96 kB in HEADERS and CONTINUATION frames: past 64 KiB and the codec's margin above it.
    String big = "v".repeat(16_000);
    RawH2Origin origin =
        origin(
            c -> {
              c.settings().flush();
              int s = c.request().streamId();
              byte[] block =
                  Conn.concat(
                      RawH2Origin.status200(),
                      Conn.literals(
                          "x-a", big, "x-b", big, "x-c", big, "x-d", big, "x-e", big, "x-f", big));
              int chunk = 16_000;
              c.headers(s, java.util.Arrays.copyOfRange(block, 0, chunk), false, true);
              for (int off = chunk; off < block.length; off += chunk) {
                int end = Math.min(block.length, off + chunk);
                c.continuation(
                    s, java.util.Arrays.copyOfRange(block, off, end), end == block.length);
              }
              c.flush();
              c.closed().get(20, TimeUnit.SECONDS);
            });
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = post(gw, "/big-head");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(origin.conn(0).goAway().get(10, TimeUnit.SECONDS)).isNotZero();
    origin.conn(0).closed().get(10, TimeUnit.SECONDS);
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void aTableSizeUpdateBeyondTheAnnouncedSizeFailsTheCall() throws Exception {
    RawH2Origin origin =
        origin(
            c -> {
              c.settings().flush();
              int s = c.request().streamId();
              // A dynamic table size update to 1 MiB (the gateway announced 4096), then :status.
              byte[] block = {0x3f, (byte) 0xe1, (byte) 0xff, 0x3f, (byte) 0x88};
              c.headers(s, block, true, true).flush();
              c.closed().get(20, TimeUnit.SECONDS);
            });
    GatewayFixture gw = gateway(origin);

    HttpResponse<String> r = post(gw, "/hpack");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(origin.conn(0).goAway().get(10, TimeUnit.SECONDS))
        .isEqualTo(Http2Error.COMPRESSION_ERROR.code());
    assertServesOnANewConnection(gw, origin);
  }

  @Test
  void theEncoderAnnouncesNoTableBeyond4096WhateverTheUpstreamAllows() throws Exception {
    List<Integer> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
    RawH2Origin origin =
        new RawH2Origin(
            n ->
                c -> {
                  c.settings(SETTINGS_HEADER_TABLE_SIZE, 1L << 30).flush();
                  while (!c.closed().isDone()) {
                    RawH2Origin.Frame f = c.request();
                    updates.addAll(tableSizeUpdates(f.payload()));
                    c.respond(f.streamId(), "fine");
                  }
                });
    closing.add(origin);
    GatewayFixture gw = gateway(origin);

    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/distinct/" + i).statusCode()).isEqualTo(200);
    }

    // Netty's encoder caps its table at 4096 bytes whatever the peer allows: it announces nothing
    // larger, and indexes no more than that.
    assertThat(updates).allMatch(size -> size <= 4096);
  }

  /** The dynamic table size updates at the start of an HPACK block (RFC 7541, 6.3). */
  private static List<Integer> tableSizeUpdates(byte[] block) {
    List<Integer> sizes = new ArrayList<>();
    int i = 0;
    while (i < block.length && (block[i] & 0xe0) == 0x20) {
      int value = block[i++] & 0x1f;
      if (value == 0x1f) {
        int shift = 0;
        int b;
        do {
          b = block[i++] & 0xff;
          value += (b & 0x7f) << shift;
          shift += 7;
        } while ((b & 0x80) != 0);
      }
      sizes.add(value);
    }
    return sizes;
  }
}
