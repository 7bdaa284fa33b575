package io.portico.proxy;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.end;
import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.ScriptedOrigin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trailers of an HTTP/1.1 upstream's chunked response reach an HTTP/1.1 client, and a response
 * after it on the same connections (client and pooled upstream) carries none of them.
 */
class UpstreamTrailersEndToEndTest {

  private static ScriptedOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin =
        ScriptedOrigin.start()
            .on(
                "/with-trailers",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "text/plain"));
                  ctx.write(chunk("hello".getBytes(StandardCharsets.US_ASCII)));
                  LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                  last.trailingHeaders().add("X-Checksum", "abc").add("x-count", "5");
                  ctx.writeAndFlush(last);
                })
            .on(
                "/without-trailers",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "text/plain"));
                  ctx.write(chunk("world".getBytes(StandardCharsets.US_ASCII)));
                  ctx.writeAndFlush(end());
                })
            .on(
                "/fixed",
                (ctx, req) ->
                    ctx.writeAndFlush(full(200, "fixed".getBytes(StandardCharsets.US_ASCII))));
    gw = GatewayFixture.start(GatewayFixture.proxyAllTo(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  @Test
  void relaysTheTrailersOfAChunkedResponseAndNoneAfterIt() throws Exception {
    try (RawClient c = gw.raw()) {
      String first =
          c.send("GET /with-trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n")
              .readUntil("x-count: 5\r\n\r\n", 3000);
      assertThat(first).startsWith("HTTP/1.1 200").contains("hello").contains("X-Checksum: abc");

      String fixed = c.send("GET /fixed HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("fixed", 3000);
      assertThat(fixed).startsWith("HTTP/1.1 200").doesNotContain("X-Checksum");

      String second =
          c.send("GET /without-trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n")
              .readUntil("0\r\n\r\n", 3000);
      assertThat(second)
          .startsWith("HTTP/1.1 200")
          .contains("world")
          .doesNotContain("X-Checksum")
          .doesNotContain("x-count");
    }
  }
}
