package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.config.LimitsConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginRegistry;
import io.portico.snapshot.Snapshot;
import io.portico.snapshot.SnapshotCompiler;
import io.portico.snapshot.SnapshotHolder;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.PluginContext;
import io.portico.testing.OnePhasePlugin;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import io.portico.upstream.EndpointSources;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamPools;
import io.portico.upstream.UpstreamService;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client connection runs its next request in the exchange (and upstream call) of the last one
 * only when nothing else can still reach that exchange ({@link HttpExchange#reusable}): nothing of
 * one request shows in the next, and a late callback of a finished exchange never acts on the next.
 *
 * <p>The connection's handlers are those the gateway installs, on a server of the test's own with
 * one event loop that also holds the upstream pools, so that the test can ask the connection's
 * {@link DownstreamHandler} which exchange its next request will run in.
 */
class ExchangeReuseTest {

  private static final String HELLO = "Hello, World!";

  @RegisterExtension final OriginPerTest env = new OriginPerTest();

  private final List<ExchangeRecord> records = new CopyOnWriteArrayList<>();
  private final List<DownstreamHandler> handlers = new CopyOnWriteArrayList<>();
  private final AtomicReference<@Nullable Exchange> kept = new AtomicReference<>();

  private EventLoopGroup group;
  private EventLoop loop;
  private Snapshot snapshot;
  private UpstreamPools pools;
  private EndpointSources sources;
  private Channel server;

  @BeforeEach
  void startServer() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    String config =
        """
        admin: off
        services:
          - name: backend
            targets: [ "%s" ]
          - name: down
            targets: [ "127.0.0.1:1" ]
            retry: { attempts: 0 }
        routes:
          - name: plain
            paths: [ /hello, /headers ]
            service: backend
          - name: slow
            paths: [ /delay/ ]
            service: backend
            timeouts: { response: 300ms }
          - name: lazy
            paths: [ /lazy/ ]
            strip-prefix: true
            service: backend
          - name: down
            paths: [ /down ]
            service: down
          - name: kept
            paths: [ /kept/ ]
            strip-prefix: true
            service: backend
            plugins:
              test-keep-exchange: {}
          - name: held
            paths: [ /held/ ]
            strip-prefix: true
            service: backend
            timeouts: { response: 300ms }
            plugins:
              test-delay: {}
        """
            .formatted(env.origin().authority());
    PluginRegistry registry =
        PluginRegistry.load(getClass().getClassLoader())
            .with(List.of(OnePhasePlugin.log("test-keep-exchange", 100, kept::set)));
    ConfigResult result = ConfigFiles.parse(config, "test.yaml", Path.of("."), Map.of(), registry);
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
    sources = new EndpointSources();
    SnapshotCompiler.Result compiled =
        new SnapshotCompiler(context, sources).compile(result.config());
    snapshot = compiled.snapshot();
    sources.activate();
    ProxyContext proxy = new ProxyContext(new SnapshotHolder(snapshot), records::add);
    pools = UpstreamPools.create(loop, NioSocketChannel.class);
    LimitsConfig limits = snapshot.config().limits();
    server =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    DownstreamHandler handler = new DownstreamHandler(proxy, pools, limits, false);
                    handlers.add(handler);
                    ObsFoldGuard fold = new ObsFoldGuard(limits, handler);
                    ch.pipeline()
                        .addLast(
                            fold.scanner(), DownstreamInitializer.httpCodec(limits, fold), handler);
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  @AfterEach
  void stopServer() {
    server.close().awaitUninterruptibly();
    sources.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private RawClient client() throws Exception {
    return new RawClient((InetSocketAddress) server.localAddress());
  }

  private static void exchange(RawClient client, String request, String marker) throws Exception {
    client.send(request);
    assertThat(client.readUntil(marker, 10_000)).contains(marker);
  }

  /** The exchange the connection's next request runs in, read on the loop once it is idle. */
  private @Nullable HttpExchange spare() throws Exception {
    assertThat(handlers).hasSize(1);
    return loop.submit(() -> handlers.get(0).spare()).get(10, TimeUnit.SECONDS);
  }

  /** The upstream call an exchange made, read on the loop. */
  private @Nullable UpstreamCall callOf(HttpExchange exchange) throws Exception {
    return loop.submit(() -> exchange.call).get(10, TimeUnit.SECONDS);
  }

  /** The records so far, once the loop has finished what it was doing. */
  private List<ExchangeRecord> records() throws Exception {
    loop.submit(() -> {}).get(10, TimeUnit.SECONDS);
    return List.copyOf(records);
  }

  @Test
  void keepAliveRequestsRunInOneExchangeAndOneUpstreamCall() throws Exception {
    List<HttpExchange> exchanges = new ArrayList<>();
    List<UpstreamCall> calls = new ArrayList<>();
    try (RawClient client = client()) {
      for (int n = 1; n <= 3; n++) {
        exchange(client, "GET /hello?n=" + n + " HTTP/1.1\r\nHost: h" + n + "\r\n\r\n", HELLO);
        HttpExchange spare = spare();
        assertThat(spare).isNotNull();
        exchanges.add(spare);
        calls.add(callOf(spare));
      }
    }
    assertThat(exchanges.get(1)).isSameAs(exchanges.get(0));
    assertThat(exchanges.get(2)).isSameAs(exchanges.get(0));
    assertThat(calls.get(0)).isNotNull();
    assertThat(calls.get(1)).isSameAs(calls.get(0));
    assertThat(calls.get(2)).isSameAs(calls.get(0));
    List<HttpRequest> forwarded = env.origin().requests();
    assertThat(forwarded)
        .extracting(HttpRequest::uri)
        .containsExactly("/hello?n=1", "/hello?n=2", "/hello?n=3");
    assertThat(forwarded)
        .extracting(r -> r.headers().get("x-request-id"))
        .doesNotHaveDuplicates()
        .doesNotContainNull();
    List<ExchangeRecord> seen = records();
    assertThat(seen).extracting(ExchangeRecord::status).containsExactly(200, 200, 200);
    assertThat(seen).extracting(ExchangeRecord::attempts).containsExactly(1, 1, 1);
    assertThat(seen).extracting(ExchangeRecord::host).containsExactly("h1", "h2", "h3");
    assertThat(seen).extracting(ExchangeRecord::upstream).doesNotContainNull();
  }

  @Test
  void aFailedExchangeIsNotReusedAndNothingOfItShowsInTheNext() throws Exception {
    try (RawClient client = client()) {
      exchange(client, "GET /hello?n=1 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      HttpExchange first = spare();
      exchange(client, "GET /nothing-here HTTP/1.1\r\nHost: a\r\n\r\n", "/nothing-here");
      assertThat(spare()).isNull();
      exchange(
          client, "POST /hello?n=3 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nping", HELLO);
      HttpExchange third = spare();
      assertThat(third).isNotNull().isNotSameAs(first);
      exchange(client, "GET /down HTTP/1.1\r\nHost: a\r\n\r\n", "502");
      assertThat(spare()).isNull();
      exchange(client, "GET /delay/1000 HTTP/1.1\r\nHost: a\r\n\r\n", "504");
      assertThat(spare()).isNull();
      exchange(client, "GET /hello?n=6 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      exchange(client, "GET /hello?n=7 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      assertThat(spare()).isNotNull().isNotSameAs(third);
    }
    List<ExchangeRecord> seen = records();
    assertThat(seen)
        .extracting(ExchangeRecord::status)
        .containsExactly(200, 404, 200, 502, 504, 200, 200);
    assertThat(seen)
        .extracting(ExchangeRecord::failure)
        .containsExactly(
            null, "no_route", null, seen.get(3).failure(), "upstream_response_timeout", null, null);
    assertThat(seen.get(3).failure()).isNotNull();
    assertThat(seen)
        .extracting(ExchangeRecord::route)
        .containsExactly("plain", null, "plain", "down", "slow", "plain", "plain");
    assertThat(seen.get(5).upstream()).isEqualTo(env.origin().authority());
    assertThat(seen.get(5).attempts()).isEqualTo(1);
    assertThat(seen.get(6).requestBytes()).isZero();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderEachWithItsOwnFacts() throws Exception {
    try (RawClient client = client()) {
      client.send(
          "GET /hello?n=1 HTTP/1.1\r\nHost: p1\r\n\r\n"
              + "GET /nothing-here HTTP/1.1\r\nHost: p2\r\n\r\n"
              + "GET /hello?n=3 HTTP/1.1\r\nHost: p3\r\n\r\n"
              + "GET /headers?n=4 HTTP/1.1\r\nHost: p4\r\n\r\n");
      String out = client.readUntil("/headers?n=4", 10_000);
      assertThat(out).contains("/headers?n=4");
      int hello1 = out.indexOf(HELLO);
      int missing = out.indexOf("404 Not Found");
      int hello3 = out.indexOf(HELLO, missing);
      assertThat(hello1).isPositive().isLessThan(missing);
      assertThat(hello3).isGreaterThan(missing);
    }
    List<ExchangeRecord> seen = records();
    assertThat(seen).extracting(ExchangeRecord::host).containsExactly("p1", "p2", "p3", "p4");
    assertThat(seen).extracting(ExchangeRecord::status).containsExactly(200, 404, 200, 200);
    assertThat(env.origin().requests())
        .extracting(HttpRequest::uri)
        .containsExactly("/hello?n=1", "/hello?n=3", "/headers?n=4");
  }

  @Test
  void anExchangeAPluginKeptIsNeverReused() throws Exception {
    HttpExchange next;
    HttpExchange afterKept;
    try (RawClient client = client()) {
      exchange(client, "GET /kept/hello HTTP/1.1\r\nHost: k\r\n\r\n", HELLO);
      afterKept = spare();
      exchange(client, "GET /hello?n=2 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      exchange(client, "GET /hello?n=3 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      next = spare();
    }
    Exchange plugins = kept.get();
    assertThat(plugins).isNotNull();
    assertThat(next).isNotNull().isNotSameAs(plugins);
    // what the plugin kept is still its own request's
    assertThat(loop.submit(plugins::path).get(10, TimeUnit.SECONDS)).isEqualTo("/kept/hello");
    assertThat(loop.submit(plugins::status).get(10, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(loop.submit(plugins::routeName).get(10, TimeUnit.SECONDS)).isEqualTo("kept");
    assertThat(afterKept).isNull();
  }

  @Test
  void aPluginStageCompletingAfterItsExchangeFailedDoesNotActOnTheNext() throws Exception {
    HttpExchange afterHeld;
    try (RawClient client = client()) {
      // held in ACCESS for a second, failed by the route's response timeout long before
      exchange(client, "GET /held/hello?n=1 HTTP/1.1\r\nHost: a\r\nX-Delay: 1000\r\n\r\n", "504");
      afterHeld = spare();
      exchange(client, "GET /hello?n=2 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      HttpExchange reused = spare();
      // the held request's stage completes while this one waits for its upstream
      exchange(client, "GET /lazy/delay/1500 HTTP/1.1\r\nHost: a\r\n\r\n", "200 OK");
      assertThat(spare()).isNotNull().isSameAs(reused);
      exchange(client, "GET /hello?n=4 HTTP/1.1\r\nHost: a\r\n\r\n", HELLO);
      assertThat(client.readAvailable(300)).isEmpty();
    }
    assertThat(env.origin().requests())
        .extracting(HttpRequest::uri)
        .containsExactly("/hello?n=2", "/delay/1500", "/hello?n=4");
    assertThat(records()).extracting(ExchangeRecord::status).containsExactly(504, 200, 200, 200);
    assertThat(afterHeld).isNull();
  }

  @Test
  void aReusedExchangeAndCallAreFieldForFieldWhatNewOnesWouldBe() throws Exception {
    HttpExchange used;
    try (RawClient client = client()) {
      exchange(
          client,
          "POST /hello?n=1 HTTP/1.1\r\nHost: a\r\nX-Request-Id: abc\r\nContent-Length: 4\r\n\r\nping",
          HELLO);
      used = spare();
      assertThat(used).isNotNull();
      HttpExchange spent = used;
      List<Map<String, Object>> compared =
          loop.submit(
                  () -> {
                    UpstreamCall call = spent.call;
                    assertThat(call).isNotNull();
                    HttpRequest request = spent.request;
                    LimitsConfig limits = snapshot.config().limits();
                    UpstreamService service = spent.upstreamService();
                    TimeoutsConfig timeouts = spent.routed().timeouts();
                    HttpExchange fresh =
                        new HttpExchange(handlers.get(0), request, snapshot, limits);
                    spent.reuse(request, snapshot);
                    UpstreamCall newCall =
                        new UpstreamCall(
                            pools,
                            service,
                            timeouts,
                            request,
                            false,
                            handlers.get(0).upstreamHooks(),
                            spent);
                    call.reuse(service, timeouts, request, false, handlers.get(0).upstreamHooks());
                    return List.of(
                        fields(fresh, "startNanos", "spareCall"),
                        fields(spent, "startNanos", "spareCall"),
                        fields(newCall),
                        fields(call));
                  })
              .get(10, TimeUnit.SECONDS);
      assertThat(compared.get(1)).isEqualTo(compared.get(0));
      assertThat(compared.get(3)).isEqualTo(compared.get(2));
    }
  }

  /**
   * Every instance field of {@code o} and its superclasses but {@code skipped}, by name: identity
   * of the value for objects (an empty collection counts as none), the value for primitives.
   */
  private static Map<String, Object> fields(Object o, String... skipped) {
    Map<String, Object> out = new TreeMap<>();
    for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || List.of(skipped).contains(f.getName())) {
          continue;
        }
        f.setAccessible(true);
        Object v;
        try {
          v = f.get(o);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
        if (v instanceof Collection<?> coll && coll.isEmpty()) {
          v = null;
        }
        Object shown =
            v == null || f.getType().isPrimitive() || v instanceof Enum<?>
                ? String.valueOf(v)
                : v.getClass().getSimpleName() + "@" + System.identityHashCode(v);
        out.put(c.getSimpleName() + "." + f.getName(), shown);
      }
    }
    return out;
  }
}
