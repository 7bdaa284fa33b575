package io.portico.proxy;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.end;
import static io.portico.testing.ScriptedOrigin.full;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.TestBodyTransformFactory;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.ScriptedOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Encoded upstream bodies on the body stage, over real sockets: {@code gzip} and {@code deflate}
 * inflated for the plugins that transform them (and left alone where none does), decompression
 * bombs and corrupt streams answered with 502 problems, newline-delimited JSON passed line by line,
 * and a reset in the middle of an encoded body. The leak detector fails the class on any buffer not
 * released.
 */
class ResponseDecodingEndToEndTest {

  private static final String TEXT = "hello, encoded world! ".repeat(200);
  private static ScriptedOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    byte[] gz = gzip(TEXT.getBytes(StandardCharsets.UTF_8));
    byte[] bomb = gzip(new byte[100 * 1024 * 1024]);
    byte[] noise = new byte[64 * 1024];
    new java.util.Random(7).nextBytes(noise);
    byte[] noisy = gzip(noise);
    origin =
        ScriptedOrigin.start()
            .on(
                "/gzip",
                (ctx, req) -> {
                  // cut in three pieces, across the gzip header
                  ctx.write(chunkedHead(200, "content-encoding", "gzip", "etag", "\"v1\""));
                  ctx.writeAndFlush(chunk(Arrays.copyOfRange(gz, 0, 5)));
                  ctx.writeAndFlush(chunk(Arrays.copyOfRange(gz, 5, gz.length / 2)));
                  ctx.write(chunk(Arrays.copyOfRange(gz, gz.length / 2, gz.length)));
                  ctx.writeAndFlush(end());
                })
            .on(
                "/deflate",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            deflate(TEXT.getBytes(StandardCharsets.UTF_8)),
                            "content-encoding",
                            "deflate")))
            .on(
                "/bomb",
                (ctx, req) -> ctx.writeAndFlush(full(200, bomb, "content-encoding", "gzip")))
            .on(
                "/corrupt",
                (ctx, req) -> {
                  byte[] broken = gz.clone();
                  Arrays.fill(broken, 20, 60, (byte) 0x55);
                  ctx.writeAndFlush(full(200, broken, "content-encoding", "gzip"));
                })
            .on(
                "/truncated",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(200, Arrays.copyOf(gz, gz.length - 6), "content-encoding", "gzip")))
            .on(
                "/members",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            concat(gzip(bytes("first ")), gzip(bytes("second"))),
                            "content-encoding",
                            "gzip")))
            .on(
                "/members-split",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-encoding", "gzip"));
                  ctx.writeAndFlush(chunk(gzip(bytes("first "))));
                  ctx.write(chunk(gzip(bytes("second"))));
                  ctx.writeAndFlush(end());
                })
            .on(
                "/gzip-garbage",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            concat(gz, bytes("<injected tail, not gzip>")),
                            "content-encoding",
                            "gzip")))
            .on(
                "/deflate-garbage",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            concat(deflate(TEXT.getBytes(StandardCharsets.UTF_8)), bytes("<tail>")),
                            "content-encoding",
                            "deflate")))
            .on(
                "/reset",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-encoding", "gzip"));
                  ctx.writeAndFlush(chunk(Arrays.copyOfRange(noisy, 0, noisy.length / 2)))
                      .addListener(f -> ctx.channel().close());
                })
            .on(
                "/ndjson",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "application/x-ndjson"));
                  ctx.writeAndFlush(chunk(bytes("{\"a\":1}\n{\"b\"")));
                  ctx.writeAndFlush(chunk(bytes(":2}\r\n")));
                  ctx.executor()
                      .schedule(
                          () -> {
                            ctx.write(chunk(bytes("{\"c\":3}\n")));
                            ctx.writeAndFlush(end());
                          },
                          1500,
                          java.util.concurrent.TimeUnit.MILLISECONDS);
                });
    gw =
        GatewayFixture.start(
            "limits:\n  max-decoded-response-size: 32MiB\n"
                + TestBodyTransformFactory.routes(
                    origin.authority(),
                    Map.ofEntries(
                        entry("upper", "upper"),
                        entry("events", "events"),
                        entry("whole", "whole, max-bytes: 200000"))));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  @Test
  void inflatesAGzipBodyForAStreamingTransformAndSendsItIdentity() throws Exception {
    HttpResponse<String> r = gw.get("/upper/gzip");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TEXT.toUpperCase() + "!END");
    assertThat(r.headers().firstValue("content-encoding")).isEmpty();
    assertThat(r.headers().firstValue("etag")).hasValue("W/\"v1\"");
  }

  @Test
  void inflatesADeflateBodyForAWholeTransformAndSendsItsExactLength() throws Exception {
    HttpResponse<String> r = gw.get("/whole/deflate");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"length\":" + TEXT.length() + "}");
    assertThat(r.headers().firstValue("content-encoding")).isEmpty();
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(r.body().length()));
  }

  @Test
  void leavesAnEncodedBodyAloneWhereNoPluginTransformsIt() throws Exception {
    HttpResponse<byte[]> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/plain/gzip")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(r.body()).isEqualTo(gzip(TEXT.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void answers502ToADecompressionBombBeforeItInflates() throws Exception {
    HttpResponse<String> r = gw.get("/whole/bomb");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("upstream-response-too-large");
    // A streaming transform is stopped by the same limits, before the head is out.
    HttpResponse<String> streamed = gw.get("/upper/bomb");
    assertThat(streamed.statusCode()).isEqualTo(502);
    assertThat(gw.records().stream().filter(x -> "upstream_response_too_large".equals(x.failure())))
        .isNotEmpty();
  }

  @Test
  void answers502ToACorruptOrTruncatedEncodedBody() throws Exception {
    for (String path : new String[] {"/whole/corrupt", "/whole/truncated"}) {
      HttpResponse<String> r = gw.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(502);
      assertThat(r.body()).as(path).contains("upstream-body-invalid");
    }
  }

  @Test
  void inflatesEveryMemberOfAMultiMemberGzipBodyHoweverItIsCut() throws Exception {
    for (String path : new String[] {"/upper/members", "/upper/members-split"}) {
      HttpResponse<String> r = gw.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).isEqualTo("FIRST SECOND!END");
    }
  }

  @Test
  void answers502ToBytesAfterTheEndOfAnEncodedBodyInTheSameRead() throws Exception {
    for (String path : new String[] {"/whole/gzip-garbage", "/whole/deflate-garbage"}) {
      HttpResponse<String> r = gw.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(502);
      assertThat(r.body()).as(path).contains("upstream-body-invalid");
    }
  }

  @Test
  void passesNewlineDelimitedJsonLineByLineBeforeTheUpstreamEnds() throws Exception {
    HttpResponse<InputStream> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/events/ndjson")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      long start = System.nanoTime();
      StringBuilder seen = new StringBuilder();
      byte[] buf = new byte[256];
      while (!seen.toString().contains("{\"B\":2}\r\n")) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1200);
      seen.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      assertThat(seen.toString()).isEqualTo("{\"A\":1}\n{\"B\":2}\r\n{\"C\":3}\n: 3 events\n\n");
    }
  }

  @Test
  void anUpstreamResetInAnEncodedBodyReleasesEverything() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("GET /whole/reset HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readUntil("upstream", 3000)).contains("502");
    }
    try (RawClient c = gw.raw()) {
      c.send("GET /upper/reset HTTP/1.1\r\nHost: x\r\n\r\n");
      c.readUntil("\r\n\r\n", 3000);
      assertThat(c.closedByServer(3000)).isTrue();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static byte[] deflate(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
      d.write(data);
    }
    return out.toByteArray();
  }
}
