package io.portico.plugins.compression;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.end;
import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.ScriptedOrigin;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code compression} over real sockets: negotiation by {@code Accept-Encoding} with q-values, what
 * is never compressed (small, other types, already encoded, ranges, {@code HEAD}), {@code Vary},
 * and a server-sent event stream whose events arrive decodable before the upstream ends.
 */
class CompressionEndToEndTest {

  private static final String TEXT = "compress me, please. ".repeat(200);
  private static ScriptedOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    origin =
        ScriptedOrigin.start()
            .on(
                "/text",
                (ctx, req) -> ctx.writeAndFlush(full(200, text, "content-type", "text/plain")))
            .on(
                "/small",
                (ctx, req) ->
                    ctx.writeAndFlush(full(200, bytes("tiny"), "content-type", "text/plain")))
            .on(
                "/png",
                (ctx, req) -> ctx.writeAndFlush(full(200, text, "content-type", "image/png")))
            .on(
                "/encoded",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(200, text, "content-type", "text/plain", "content-encoding", "br")))
            .on(
                "/range",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            206,
                            text,
                            "content-type",
                            "text/plain",
                            "content-range",
                            "bytes 0-" + (text.length - 1) + "/99999")))
            .on(
                "/events",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "text/event-stream"));
                  ctx.writeAndFlush(chunk(bytes("data: one\n\n")));
                  ctx.executor()
                      .schedule(
                          () -> {
                            ctx.write(chunk(bytes("data: two\n\n")));
                            ctx.writeAndFlush(end());
                          },
                          1500,
                          TimeUnit.MILLISECONDS);
                });
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ / ]
                service: backend
                plugins:
                  compression: { min-size: 100, content-types: [ "text/*" ] }
            """
                .formatted(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static HttpResponse<byte[]> get(String path, String acceptEncoding, String method)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gw.uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
    if (acceptEncoding != null) {
      b.header("Accept-Encoding", acceptEncoding);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void compressesWithGzipWhenTheClientAcceptsIt() throws Exception {
    HttpResponse<byte[]> r = get("/text", "gzip, deflate", "GET");
    assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(r.headers().allValues("vary")).contains("Accept-Encoding");
    assertThat(r.body().length).isLessThan(TEXT.length() / 4);
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(r.body().length));
    assertThat(
            new String(
                new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(),
                StandardCharsets.UTF_8))
        .isEqualTo(TEXT);
  }

  @Test
  void honoursQValuesAndRefusals() throws Exception {
    HttpResponse<byte[]> deflate = get("/text", "gzip;q=0.5, deflate", "GET");
    assertThat(deflate.headers().firstValue("content-encoding")).hasValue("deflate");
    assertThat(
            new String(
                new InflaterInputStream(new ByteArrayInputStream(deflate.body())).readAllBytes(),
                StandardCharsets.UTF_8))
        .isEqualTo(TEXT);
    assertThat(
            get("/text", "gzip;q=0, deflate;q=0", "GET").headers().firstValue("content-encoding"))
        .isEmpty();
    assertThat(get("/text", "identity;q=0, *", "GET").headers().firstValue("content-encoding"))
        .hasValue("gzip");
    assertThat(get("/text", "br", "GET").headers().firstValue("content-encoding")).isEmpty();
    HttpResponse<byte[]> none = get("/text", null, "GET");
    assertThat(none.headers().firstValue("content-encoding")).isEmpty();
    assertThat(none.headers().allValues("vary")).contains("Accept-Encoding");
    assertThat(new String(none.body(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
  }

  @Test
  void leavesAloneWhatMustNotBeCompressed() throws Exception {
    for (String path : new String[] {"/small", "/png", "/range"}) {
      HttpResponse<byte[]> r = get(path, "gzip", "GET");
      assertThat(r.headers().firstValue("content-encoding")).as(path).isEmpty();
    }
    HttpResponse<byte[]> encoded = get("/encoded", "gzip", "GET");
    assertThat(encoded.headers().firstValue("content-encoding")).hasValue("br");
    assertThat(new String(encoded.body(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
    HttpResponse<byte[]> head = get("/text", "gzip", "HEAD");
    assertThat(head.headers().firstValue("content-encoding")).isEmpty();
    assertThat(head.headers().firstValue("content-length"))
        .hasValue(Integer.toString(TEXT.length()));
  }

  @Test
  void flushesEachServerSentEventCompressedBeforeTheUpstreamEnds() throws Exception {
    HttpResponse<InputStream> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/events")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
    try (InputStream in = new GZIPInputStream(r.body(), 64)) {
      long start = System.nanoTime();
      byte[] first = in.readNBytes("data: one\n\n".length());
      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("data: one\n\n");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1200);
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data: two\n\n");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
