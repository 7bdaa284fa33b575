package io.portico.proxy;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.end;
import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.ChannelOption;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.ScriptedOrigin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A body stage's close hook runs exactly once, as soon as its exchange is over, on every path: the
 * body completed, the client went away mid-body, the upstream reset mid-body, a later plugin of the
 * phase threw. The route also compresses, so the compressor's deflater is released on the same
 * paths; the leak detector (paranoid for every test) checks every buffer.
 */
class BodyTransformCloseEndToEndTest {

  private static final byte[] HELLO = "hello ".repeat(50).getBytes(StandardCharsets.US_ASCII);

  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final AtomicInteger closedOnLoop = new AtomicInteger();
  private ScriptedOrigin origin;
  private GatewayFixture gw;

  /** A streaming stage that passes chunks through and counts its opening and closing. */
  final class CountingFactory implements PluginFactory<String> {
    private final String name;
    private final boolean failing;

    CountingFactory(String name, boolean failing) {
      this.name = name;
      this.failing = failing;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return failing ? 100 : 900;
    }

    @Override
    public String parse(ConfigReader config) {
      config.finish();
      return name;
    }

    @Override
    public Plugin create(String config, PluginContext context) {
      return new Plugin() {
        @Override
        public Set<Phase> phases() {
          return Set.of(Phase.RESPONSE_BODY);
        }

        @Override
        public BodyTransform responseBody(Exchange exchange) {
          if (failing) {
            if (exchange.path().startsWith("/fail")) {
              throw new IllegalStateException("a plugin that fails after the counting one");
            }
            return null;
          }
          opened.incrementAndGet();
          return BodyTransform.chunks((input, alloc) -> input)
              .closingWith(
                  () -> {
                    closed.incrementAndGet();
                    if (exchange.eventLoop().inEventLoop()) {
                      closedOnLoop.incrementAndGet();
                    }
                  });
        }
      };
    }
  }

  @BeforeEach
  void start() throws Exception {
    origin =
        ScriptedOrigin.start()
            .on(
                "/full",
                (ctx, req) -> ctx.writeAndFlush(full(200, HELLO, "content-type", "text/plain")))
            .on(
                "/stall",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "text/plain"));
                  ctx.writeAndFlush(chunk(HELLO)); // and never the end
                })
            .on(
                "/reset",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "text/plain"));
                  ctx.writeAndFlush(chunk(HELLO))
                      .addListener(
                          f -> {
                            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                            ctx.channel().close();
                          });
                })
            .on(
                "/fail",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "content-type", "text/plain"));
                  ctx.write(chunk(HELLO));
                  ctx.writeAndFlush(end());
                });
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: r
                paths: [ / ]
                service: backend
                plugins:
                  counting-stage: {}
                  failing-stage: {}
                  compression: { min-size: 1 }
            """
                .formatted(origin.authority()),
            new CountingFactory("counting-stage", false),
            new CountingFactory("failing-stage", true));
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n";
  }

  @Test
  void closesOnceWhenTheBodyCompletes() throws Exception {
    try (RawClient client = gw.raw()) {
      client.send(get("/full"));
      assertThat(client.readUntil("\r\n0\r\n\r\n", 5000)).contains("content-encoding: gzip");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
    assertThat(opened.get()).isEqualTo(1);
    assertThat(closedOnLoop.get()).isEqualTo(1);
  }

  @Test
  void closesOnceAtOnceWhenTheClientAbortsMidBody() throws Exception {
    try (RawClient client = gw.raw()) {
      client.send(get("/stall"));
      client.readUntil("content-encoding: gzip", 5000);
      assertThat(closed.get()).as("not closed while the body is still flowing").isZero();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
    assertThat(opened.get()).isEqualTo(1);
    assertThat(closedOnLoop.get()).isEqualTo(1);
  }

  @Test
  void closesOnceWhenTheUpstreamResetsMidBody() throws Exception {
    try (RawClient client = gw.raw()) {
      client.send(get("/reset"));
      client.readUntil("content-encoding: gzip", 5000);
      assertThat(client.closedByServer(5000)).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
    assertThat(opened.get()).isEqualTo(1);
  }

  @Test
  void closesTheTransformsAlreadyReturnedWhenALaterPluginThrows() throws Exception {
    try (RawClient client = gw.raw()) {
      client.send(get("/fail"));
      assertThat(client.readUntil("\r\n\r\n", 5000)).startsWith("HTTP/1.1 500");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
    assertThat(opened.get()).isEqualTo(1);
  }
}
