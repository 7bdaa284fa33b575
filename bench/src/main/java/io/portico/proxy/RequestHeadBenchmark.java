package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.config.LimitsConfig;
import io.portico.upstream.DeferredTrailers;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding one request head of a keep-alive connection, from a direct buffer to the request and its
 * empty last content: {@code clientCodec} is {@link ClientCodec}'s decoder as the gateway builds it
 * ({@link DownstreamInitializer#httpCodec}'s settings), which reads these heads with {@link
 * PlainHeadParser} into the request the previous exchange gave back; {@code netty} is Netty's
 * {@link HttpRequestDecoder} with the same settings, a new request per head. Both are called
 * directly (no pipeline around them); {@code clientCodec} also takes its response's turn from the
 * codec's method queue, as the response encoder does, so that the queue never fills.
 *
 * <p>The heads: {@code curl} (request line and three fields, as curl sends them) and {@code
 * browser} (fifteen fields of a browser's navigation, with a cookie). With {@code repeat} true the
 * same bytes every time, as on a connection that repeats its requests; with false two heads in turn
 * whose targets differ ({@code /x} put before the path), so that every head is scanned whole (its
 * fields' strings are still those of the previous request, as on a connection that sends the same
 * fields to different paths).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar RequestHeadBenchmark -prof gc}, and read
 * {@code avgt} (ns/op) and {@code gc.alloc.rate.norm} (B/op). On a machine that other work shares,
 * the time per operation measures the queue for a core more than the decoder; each iteration also
 * prints the benchmark thread's own CPU time per operation ({@code thread CPU: N ns/op}, from
 * {@code ThreadMXBean}), which only the other work's effect on caches moves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RequestHeadBenchmark {

  private static final String CURL =
      "GET /hello HTTP/1.1\r\n"
          + "Host: 127.0.0.1:19104\r\n"
          + "User-Agent: curl/8.5.0\r\n"
          + "Accept: */*\r\n"
          + "\r\n";

  private static final String BROWSER =
      "GET /api/v1/items?page=2&sort=name HTTP/1.1\r\n"
          + "Host: shop.example.com\r\n"
          + "Connection: keep-alive\r\n"
          + "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
          + "sec-ch-ua-mobile: ?0\r\n"
          + "sec-ch-ua-platform: \"Linux\"\r\n"
          + "Upgrade-Insecure-Requests: 1\r\n"
          + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/131.0.0.0 Safari/537.36\r\n"
          + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
          + "image/webp,*/*;q=0.8\r\n"
          + "Sec-Fetch-Site: same-origin\r\n"
          + "Sec-Fetch-Mode: navigate\r\n"
          + "Sec-Fetch-User: ?1\r\n"
          + "Sec-Fetch-Dest: document\r\n"
          + "Referer: https://shop.example.com/api/v1/items?page=1&sort=name\r\n"
          + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
          + "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
          + "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.1.1234\r\n"
          + "\r\n";

  private static final HttpResponse RESPONSE =
      new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);

  @Param({"curl", "browser"})
  String head = "curl";

  @Param({"true", "false"})
  boolean repeat = true;

  // Set in setUp, which JMH runs before any benchmark method.
  @SuppressWarnings("NullAway.Init")
  private ByteBuf bytes;

  /** The head of every other request: {@link #bytes}, or the same with another target. */
  @SuppressWarnings("NullAway.Init")
  private ByteBuf other;

  private boolean turn;

  @SuppressWarnings("NullAway.Init")
  private EmbeddedChannel channel;

  @SuppressWarnings("NullAway.Init")
  private ChannelHandlerContext ctx;

  @SuppressWarnings("NullAway.Init")
  private ClientCodec.Decoder codecDecoder;

  @SuppressWarnings("NullAway.Init")
  private ClientCodec.Encoder codecEncoder;

  @SuppressWarnings("NullAway.Init")
  private OpenDecoder nettyDecoder;

  private final List<Object> out = new ArrayList<>();

  @Setup
  public void setUp() throws Exception {
    String text = head.equals("curl") ? CURL : BROWSER;
    bytes = direct(text);
    other = repeat ? bytes.retain() : direct(text.replaceFirst(" /", " /x"));
    ClientCodec codec = DownstreamInitializer.httpCodec(LimitsConfig.DEFAULTS, null);
    codecDecoder = (ClientCodec.Decoder) part(codec, "inboundHandler");
    codecEncoder = (ClientCodec.Encoder) part(codec, "outboundHandler");
    nettyDecoder = new OpenDecoder(config());
    channel = new EmbeddedChannel(nettyDecoder);
    ctx = channel.pipeline().firstContext();
    // the steady state: requests were decoded and given back
    ThreadCpu cpu = new ThreadCpu();
    for (int i = 0; i < 4; i++) {
      clientCodec(cpu);
      netty(cpu);
    }
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
    bytes.release();
    other.release();
  }

  private static ByteBuf direct(String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    return Unpooled.directBuffer(b.length).writeBytes(b);
  }

  /** The next request's head, read from its start. */
  private ByteBuf next() {
    turn = !turn;
    ByteBuf b = turn ? other : bytes;
    b.readerIndex(0);
    return b;
  }

  /** The benchmark thread's CPU time over an iteration, printed per operation at its end. */
  @State(Scope.Thread)
  public static class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private long start;
    long operations;

    @Setup(Level.Iteration)
    public void start() {
      operations = 0;
      start = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
      long used = THREADS.getCurrentThreadCpuTime() - start;
      System.out.printf(" thread CPU: %.1f ns/op ", (double) used / Math.max(1, operations));
    }
  }

  @Benchmark
  public Object clientCodec(ThreadCpu cpu) throws Exception {
    cpu.operations++;
    out.clear();
    codecDecoder.decode(ctx, next(), out);
    Object request = out.get(0);
    codecEncoder.isContentAlwaysEmpty(RESPONSE);
    ClientCodec.recycle((HttpRequest) request);
    return request;
  }

  @Benchmark
  public Object netty(ThreadCpu cpu) throws Exception {
    cpu.operations++;
    out.clear();
    nettyDecoder.decode(ctx, next(), out);
    return out.get(0);
  }

  private static Object part(ClientCodec codec, String accessor) throws Exception {
    Method m = CombinedChannelDuplexHandler.class.getDeclaredMethod(accessor);
    m.setAccessible(true);
    return m.invoke(codec);
  }

  private static HttpDecoderConfig config() {
    LimitsConfig limits = LimitsConfig.DEFAULTS;
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(limits.maxRequestLine())
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setMaxChunkSize(64 * 1024)
        .setValidateHeaders(true)
        .setTrailersFactory(DeferredTrailers.FACTORY)
        .setAllowDuplicateContentLengths(false)
        .setAllowPartialChunks(true);
  }

  /** Netty's decoder, its decode callable from here. */
  static final class OpenDecoder extends HttpRequestDecoder {
    OpenDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    public void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      super.decode(ctx, buffer, out);
    }
  }
}
