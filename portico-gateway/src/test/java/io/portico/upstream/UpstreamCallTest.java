package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.config.PoolConfig;
import io.portico.config.RetryConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UpstreamCall} on its own, as aggregation, mirroring or health probes use it: several calls
 * on one event loop share its pools; the hooks see every attempt (a retry too) and may add headers
 * before the head is written; the balancer hears how each attempt went; timeouts are told apart.
 */
class UpstreamCallTest {

  private EventLoopGroup group;
  private EventLoop loop;
  private UpstreamPools pools;
  private TestOrigin origin;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    pools = UpstreamPools.create(loop, NioSocketChannel.class);
    origin = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    pools.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    origin.close();
  }

  @Test
  void callsOnOneLoopShareItsPooledConnection() throws Exception {
    UpstreamService service = service(List.of(endpoint(origin.port())), new RecordingBalancer());
    for (int i = 0; i < 3; i++) {
      Result r = call(service, "/hello", UpstreamHooks.NONE, TimeoutsConfig.DEFAULTS);
      assertThat(r.failure.get(5, TimeUnit.SECONDS)).isNull();
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body.toString()).isEqualTo("Hello, World!");
    }
    assertThat(origin.connections()).isEqualTo(1);
  }

  @Test
  void hooksSeeEveryAttemptAndMayAddHeadersAndTheBalancerHearsTheOutcomes() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    RecordingBalancer balancer = new RecordingBalancer();
    UpstreamService service =
        service(List.of(endpoint(closedPort), endpoint(origin.port())), balancer);
    List<String> seen = new CopyOnWriteArrayList<>();
    UpstreamHooks hooks =
        new UpstreamHooks() {
          @Override
          public void onAttemptStart(String svc, Endpoint endpoint, int attempt) {
            seen.add("start " + attempt + " " + endpoint.address().getPort());
          }

          @Override
          public void beforeRequestHead(HttpRequest head, Endpoint endpoint) {
            head.headers().set("traceparent", "00-trace-span-01");
          }

          @Override
          public void onAttemptEnd(
              String svc, Endpoint endpoint, CallFailure failure, int status, long nanos) {
            seen.add("end " + failure + " " + status);
          }
        };

    Result r = call(service, "/headers", hooks, TimeoutsConfig.DEFAULTS);

    assertThat(r.failure.get(5, TimeUnit.SECONDS)).isNull();
    assertThat(r.body.toString()).contains("traceparent: 00-trace-span-01");
    assertThat(seen)
        .containsExactly(
            "start 1 " + closedPort,
            "end CONNECT_FAILED 0",
            "start 2 " + origin.port(),
            "end null 200");
    assertThat(balancer.outcomes)
        .containsExactly(AttemptOutcome.CONNECT_FAILED, AttemptOutcome.SUCCESS);
  }

  @Test
  void theResponseTimeoutRunsFromTheRequestBeingSent() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer();
    UpstreamService service = service(List.of(endpoint(origin.port())), balancer);
    TimeoutsConfig timeouts =
        new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5));

    Result late = call(service, "/delay/1000", UpstreamHooks.NONE, timeouts);
    assertThat(late.failure.get(5, TimeUnit.SECONDS)).isEqualTo(CallFailure.RESPONSE_TIMEOUT);

    Result stalled = call(service, "/stall", UpstreamHooks.NONE, idleOf(timeouts, 300));
    assertThat(stalled.failure.get(5, TimeUnit.SECONDS)).isEqualTo(CallFailure.IDLE_TIMEOUT);
    assertThat(balancer.outcomes)
        .containsExactly(AttemptOutcome.RESPONSE_TIMEOUT, AttemptOutcome.IDLE_TIMEOUT);
  }

  @Test
  void anAbortedCallReleasesWhatItHeldAndTellsNobody() throws Exception {
    UpstreamService service = service(List.of(endpoint(origin.port())), new RecordingBalancer());
    CompletableFuture<Object> told = new CompletableFuture<>();
    loop.submit(
            () -> {
              HttpRequest head = head("/echo", HttpMethod.POST);
              head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 10);
              UpstreamCall c =
                  new UpstreamCall(
                      pools,
                      service,
                      TimeoutsConfig.DEFAULTS,
                      head,
                      false,
                      UpstreamHooks.NONE,
                      new Receiver(new Result(), told));
              c.send(
                  new io.netty.handler.codec.http.DefaultHttpContent(
                      Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8)));
              c.abort();
              c.send(
                  new DefaultLastHttpContent(
                      Unpooled.copiedBuffer("defg", StandardCharsets.UTF_8)));
              assertThat(c.isDone()).isTrue();
            })
        .get(5, TimeUnit.SECONDS);
    Thread.sleep(200);
    assertThat(told).isNotDone();
  }

  // ---------------------------------------------------------------- helpers

  private static TimeoutsConfig idleOf(TimeoutsConfig t, long ms) {
    return new TimeoutsConfig(t.connect(), Duration.ofSeconds(5), Duration.ofMillis(ms));
  }

  private static Endpoint endpoint(int port) {
    return new Endpoint(new InetSocketAddress("127.0.0.1", port), "127.0.0.1:" + port, 1);
  }

  private static UpstreamService service(List<Endpoint> endpoints, Balancer balancer) {
    return new UpstreamService(
        "backend",
        new StaticEndpointSource(endpoints),
        balancer,
        TimeoutsConfig.DEFAULTS,
        new PoolConfig(8, 8, Duration.ofMinutes(1)),
        new RetryConfig(1, 100),
        new RetryBudget(100),
        null);
  }

  private static HttpRequest head(String path, HttpMethod method) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, path);
    head.headers().set(HttpHeaderNames.HOST, "origin");
    return head;
  }

  private Result call(UpstreamService service, String path, UpstreamHooks hooks, TimeoutsConfig t)
      throws Exception {
    Result result = new Result();
    loop.submit(
            () -> {
              UpstreamCall c =
                  new UpstreamCall(
                      pools,
                      service,
                      t,
                      head(path, HttpMethod.GET),
                      false,
                      hooks,
                      new Receiver(result, null));
              c.send(LastHttpContent.EMPTY_LAST_CONTENT);
              c.start();
            })
        .get(5, TimeUnit.SECONDS);
    result.failure.get(5, TimeUnit.SECONDS);
    return result;
  }

  /** What a call delivered: null failure once the response completed. */
  private static final class Result {
    final CompletableFuture<CallFailure> failure = new CompletableFuture<>();
    final StringBuilder body = new StringBuilder();
    volatile int status;
  }

  private static final class Receiver implements UpstreamCall.Receiver {
    private final Result result;
    private final CompletableFuture<Object> told;

    Receiver(Result result, CompletableFuture<Object> told) {
      this.result = result;
      this.told = told;
    }

    @Override
    public void prepareHead(HttpRequest head, Endpoint endpoint, int attempt) {}

    @Override
    public void onResponseHead(HttpResponse head) {
      result.status = head.status().code();
      tell();
    }

    @Override
    public void onResponseContent(HttpContent content) {
      ByteBuf b = content.content();
      result.body.append(b.toString(StandardCharsets.UTF_8));
      content.release();
      tell();
      if (content instanceof LastHttpContent) {
        result.failure.complete(null);
      }
    }

    @Override
    public void onResponseReadComplete() {}

    @Override
    public void onRequestFlowChanged(boolean accepting) {}

    @Override
    public void onFailed(CallFailure failure, String detail) {
      tell();
      result.failure.complete(failure);
    }

    private void tell() {
      if (told != null) {
        told.complete(this);
      }
    }
  }

  /** Records the outcome of every attempt, and picks in order, skipping the excluded one. */
  private static final class RecordingBalancer implements Balancer {
    final List<AttemptOutcome> outcomes = new CopyOnWriteArrayList<>();

    @Override
    public Endpoint pick(List<Endpoint> endpoints, Endpoint exclude) {
      for (Endpoint e : endpoints) {
        if (!e.equals(exclude)) {
          return e;
        }
      }
      return endpoints.isEmpty() ? null : endpoints.get(0);
    }

    @Override
    public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
      outcomes.add(outcome);
    }
  }
}
