package io.portico.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.observe.log.AccessLogPipeline;
import io.portico.observe.log.SinkStats;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.observe.trace.RequestTrace;
import io.portico.observe.trace.Tracing;
import io.portico.plugin.PluginRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the event loop spends per proxied request on observability, with the features of {@code
 * bench/conf/portico-bench-observability.yaml}: metrics, a file access log and tracing with 1 % of
 * new traces sampled (exported to 127.0.0.1:4318, where nothing need listen: an export that fails
 * costs its exporter thread, not the caller).
 *
 * <ul>
 *   <li>{@code metrics}: a finished exchange recorded into its route's meters (request counter, two
 *       latency histograms, byte counters)
 *   <li>{@code accessLog}: the access log's decision and the hand-off of the line to the file
 *       sink's queue, the line's JSON made and written on the sink's thread. Each call first does
 *       the CPU work of {@code pace} (what the rest of a request would cost), so that the sink
 *       keeps up as it does behind real traffic; subtract {@code pace} from it.
 *   <li>{@code trace}: a request without a trace context: the trace decided and begun, its id as
 *       text (for the access log), ended
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar ObservabilityBenchmark -f 1 -wi 3 -i 5 -w 1s
 * -r 1s}. Numbers on a machine shared with other work are indicative only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ObservabilityBenchmark {

  /** Blackhole tokens of CPU work standing in for the rest of a request. */
  private static final long PACE_TOKENS = 2_000;

  private static final String CONFIG =
      """
      listeners:
        - address: 127.0.0.1:9104
      admin: off
      services:
        - name: upstream
          targets: [ "127.0.0.1:9001" ]
      routes:
        - name: all
          paths: [ "/" ]
          service: upstream
      tracing:
        endpoint: http://127.0.0.1:4318
        sample-ratio: 0.01
      runtime:
        io-threads: 1
        access-log: ACCESS_LOG
        watch-config: false
      """;

  private final ExchangeRecord record =
      ExchangeRecord.builder()
          .startEpochMillis(System.currentTimeMillis())
          .requestId("c0a80001-0001")
          .clientAddress("127.0.0.1")
          .method("GET")
          .path("/hello")
          .protocol("HTTP/1.1")
          .host("127.0.0.1:9104")
          .route("all")
          .service("upstream")
          .upstream("127.0.0.1:9001")
          .status(200)
          .requestBytes(0)
          .responseBytes(13)
          .durationMillis(0.412)
          .upstreamConnectMillis(-1)
          .upstreamResponseMillis(0.305)
          .attempts(1)
          .userAgent("wrk")
          .build();

  private final HttpHeaders headers =
      new DefaultHttpHeaders().add("host", "127.0.0.1:9104").add("user-agent", "wrk");
  private final InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 40_000);

  private Path dir;
  private EventLoopGroup loops;
  private GatewayMetrics metrics;
  private ExchangeObserver metricsObserver;
  private AccessLogPipeline accessLog;
  private Tracing tracing;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("portico-observability-bench");
    String text =
        CONFIG.replace("ACCESS_LOG", dir.resolve("access.log").toString().replace('\\', '/'));
    ConfigResult parsed =
        ConfigFiles.parse(
            text,
            "observability.yaml",
            dir,
            Map.of(),
            PluginRegistry.load(ObservabilityBenchmark.class.getClassLoader()));
    GatewayConfig config =
        Objects.requireNonNull(parsed.config(), () -> parsed.problems().toString());
    loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    metrics = GatewayMetrics.start(config.metrics(), loops);
    metrics.activated("bench", Instant.now(), Map.of("all", "upstream"));
    metricsObserver = metrics.observer();
    accessLog = Objects.requireNonNull(AccessLogPipeline.open(config.runtime().accessLog()));
    tracing = Objects.requireNonNull(Tracing.start(config.tracing()));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    for (SinkStats s : accessLog.sinks()) {
      System.out.printf(
          "%n[access log sink %s: %d lines written, %d dropped]%n",
          s.name(), s.delivered(), s.dropped());
    }
    accessLog.close();
    tracing.close();
    metrics.close();
    loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public void metrics() {
    metricsObserver.onExchangeComplete(record);
  }

  @Benchmark
  public void pace() {
    Blackhole.consumeCPU(PACE_TOKENS);
  }

  @Benchmark
  public void accessLog() {
    Blackhole.consumeCPU(PACE_TOKENS);
    accessLog.onExchangeComplete(record);
  }

  @Benchmark
  public String trace() {
    RequestTrace trace =
        tracing.begin(headers, "GET", "/hello", "127.0.0.1:9104", peer, false, "1.1");
    String id = trace.traceId();
    trace.end(200, null);
    return id;
  }
}
