package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginRegistry;
import io.portico.snapshot.Snapshot;
import io.portico.snapshot.SnapshotCompiler;
import io.portico.snapshot.SnapshotHolder;
import io.portico.spi.plugin.PluginContext;
import io.portico.upstream.UpstreamPools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client-connection handler on an {@link EmbeddedChannel}: framing, local replies, deadlines
 * and connection reuse, with a controllable clock and no sockets.
 */
class DownstreamHandlerTest {

  private static final String CONFIG =
      """
      admin: off
      routes:
        - name: hello
          paths: [ "/hello" ]
          plugins:
            mock: { body: "hi" }
      limits:
        header-timeout: 10s
        keep-alive-timeout: 30s
      """;

  private static EventLoopGroup group;
  private static UpstreamPools pools;
  private final List<ExchangeRecord> records = new ArrayList<>();

  @BeforeAll
  static void startLoop() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    pools = UpstreamPools.create(group.next(), NioSocketChannel.class);
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private EmbeddedChannel channel() {
    PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());
    ConfigResult result = ConfigFiles.parse(CONFIG, "test.yaml", Path.of("."), Map.of(), registry);
    assertThat(result.ok()).as(result.problems().render()).isTrue();
    PluginContext context =
        new PluginContext() {
          @Override
          public EventLoopGroup eventLoops() {
            return group;
          }

          @Override
          public String configSource() {
            return "test.yaml";
          }
        };
    Snapshot snapshot = new SnapshotCompiler(context).compile(result.config()).snapshot();
    ProxyContext proxy = new ProxyContext(new SnapshotHolder(snapshot), records::add);
    DownstreamHandler handler =
        new DownstreamHandler(proxy, pools, snapshot.config().limits(), false);
    ObsFoldGuard fold = new ObsFoldGuard(snapshot.config().limits(), handler);
    return new EmbeddedChannel(
        fold.scanner(), DownstreamInitializer.httpCodec(snapshot.config().limits(), fold), handler);
  }

  private static String send(EmbeddedChannel ch, String raw) {
    ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    ch.runPendingTasks();
    return drain(ch);
  }

  private static String drain(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) msg;
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void answersAPluginReplyAndKeepsTheConnection() {
    EmbeddedChannel ch = channel();
    String out = send(ch, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nhi");
    assertThat(ch.isOpen()).isTrue();
    assertThat(records).extracting(ExchangeRecord::route).containsExactly("hello");
    ch.finishAndReleaseAll();
  }

  @Test
  void answersNoRouteWithAProblemAndKeepsTheConnection() {
    EmbeddedChannel ch = channel();
    String out = send(ch, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(out)
        .startsWith("HTTP/1.1 404 Not Found")
        .contains("content-type: application/problem+json")
        .contains("\"instance\":\"/nope\"");
    assertThat(ch.isOpen()).isTrue();
    assertThat(records).extracting(ExchangeRecord::failure).containsExactly("no_route");
    ch.finishAndReleaseAll();
  }

  @Test
  void closesAfterRejectingAmbiguousFraming() {
    EmbeddedChannel ch = channel();
    String out =
        send(
            ch,
            "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 400").contains("connection: close");
    assertThat(ch.isOpen()).isFalse();
    assertThat(records).extracting(ExchangeRecord::failure).containsExactly("bad_framing");
    ch.finishAndReleaseAll();
  }

  @Test
  void answers408WhenTheRequestHeadIsNotCompleteInTime() {
    EmbeddedChannel ch = channel();
    assertThat(send(ch, "GET /hello HTTP/1.1\r\nHo")).isEmpty();
    ch.advanceTimeBy(9, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(drain(ch)).isEmpty();
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(drain(ch)).startsWith("HTTP/1.1 408").contains("request-header-timeout");
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void measuresTheHeaderDeadlineFromTheFirstByteOfEachRequest() {
    EmbeddedChannel ch = channel();
    assertThat(send(ch, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
    ch.advanceTimeBy(20, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("idle within keep-alive").isTrue();
    send(ch, "GET /hel");
    ch.advanceTimeBy(11, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(drain(ch)).startsWith("HTTP/1.1 408");
    ch.finishAndReleaseAll();
  }

  @Test
  void closesAnIdleConnectionAfterTheKeepAliveTimeout() {
    EmbeddedChannel ch = channel();
    send(ch, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    ch.advanceTimeBy(31, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void answersPipelinedRequestsInOrder() {
    EmbeddedChannel ch = channel();
    String out =
        send(
            ch,
            "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    ch.runPendingTasks();
    out += drain(ch);
    int first = out.indexOf("HTTP/1.1 200");
    int second = out.indexOf("HTTP/1.1 404");
    int third = out.indexOf("HTTP/1.1 200", second);
    assertThat(first).isZero();
    assertThat(second).isGreaterThan(first);
    assertThat(third).isGreaterThan(second);
    ch.finishAndReleaseAll();
  }

  @Test
  void closesWhenAnsweringBeforeTheRequestBodyAndSendsNo100Continue() {
    EmbeddedChannel ch = channel();
    String out =
        send(
            ch,
            "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 200").contains("connection: close");
    assertThat(out).doesNotContain("100 Continue");
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void answersOptionsAsteriskItselfAndRejectsAsteriskForOtherMethods() {
    EmbeddedChannel ch = channel();
    assertThat(send(ch, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
    assertThat(send(ch, "GET * HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 400");
    ch.finishAndReleaseAll();
  }

  @Test
  void answersHttp10WithoutKeepAliveAndCloses() {
    EmbeddedChannel ch = channel();
    String out = send(ch, "GET /hello HTTP/1.0\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 200").contains("connection: close");
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }
}
