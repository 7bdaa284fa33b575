package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the admin listener closes, every request handed to its thread gets a whole answer: those
 * still waiting a {@code 503 admin-unavailable} with {@code Connection: close}, the one running its
 * own; and one handed over after the close is refused the same way. Over real sockets, with a
 * request that holds the thread until the test lets it go.
 */
class AdminWorkTest {

  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private EventLoopGroup group;
  private Channel server;
  private AdminWork work;

  @BeforeEach
  void start() throws Exception {
    work = new AdminWork("admin-work-test");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new AdminPipelining())
                        .addLast(new HttpObjectAggregator(1024))
                        .addLast(new Endpoint());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  @AfterEach
  void stop() {
    release.countDown();
    work.close();
    server.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** {@code /block} holds the thread until released; anything else answers at once. */
  private final class Endpoint extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean block = req.uri().equals("/block");
      work.submit(
          ctx,
          HttpUtil.isKeepAlive(req),
          req,
          () -> {
            if (block) {
              running.countDown();
              awaitRelease();
            }
            return new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer("{\"done\":\"" + req.uri() + "\"}", StandardCharsets.UTF_8));
          },
          e -> AdminHandler.problem(HttpResponseStatus.INTERNAL_SERVER_ERROR, "t", "failed"));
    }
  }

  private void awaitRelease() throws java.io.InterruptedIOException {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while held");
    }
  }

  private RawClient client(String path) throws Exception {
    InetSocketAddress a = (InetSocketAddress) server.localAddress();
    RawClient c = new RawClient(a);
    c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return c;
  }

  @Test
  void requestsWaitingWhenTheListenerClosesAreAnswered503WithConnectionClose() throws Exception {
    List<RawClient> clients = new ArrayList<>();
    try {
      RawClient blocked = client("/block");
      clients.add(blocked);
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      List<RawClient> waiting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawClient c = client("/waiting-" + i);
        clients.add(c);
        waiting.add(c);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> work.waiting() == 3);

      CompletableFuture<Void> closed = CompletableFuture.runAsync(work::close);
      for (RawClient c : waiting) {
        String answer = c.readUntil("}", 10_000);
        assertThat(answer)
            .startsWith("HTTP/1.1 503 ")
            .containsIgnoringCase("connection: close")
            .contains("application/problem+json")
            .contains("\"type\":\"https://portico.dev/problems/admin-unavailable\"")
            .endsWith("\"detail\":\"The gateway is shutting down.\"}");
        assertThat(c.closedByServer(5000)).isTrue();
      }

      release.countDown();
      closed.get(10, TimeUnit.SECONDS);
      assertThat(blocked.readUntil("}", 10_000))
          .startsWith("HTTP/1.1 200 ")
          .endsWith("{\"done\":\"/block\"}");

      RawClient late = client("/late");
      clients.add(late);
      assertThat(late.readUntil("}", 10_000))
          .startsWith("HTTP/1.1 503 ")
          .containsIgnoringCase("connection: close");
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
    }
  }
}
