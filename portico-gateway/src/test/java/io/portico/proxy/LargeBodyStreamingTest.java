package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.internal.PlatformDependent;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 1 GiB request body and a 1 GiB response body pass through the gateway, counted byte for byte,
 * while the memory of the test JVM (gateway, origin and client together) stays bounded: bodies are
 * streamed with backpressure, never buffered.
 *
 * <p>Even with the leak detector at paranoid each transfer takes a few seconds (one to four seconds
 * on a two-core machine), so the full gibibyte stays in the regular build.
 */
class LargeBodyStreamingTest {

  private static final long GIB = 1L << 30;
  private static final long DIRECT_LIMIT = 64L << 20;
  private static final long HEAP_LIMIT = 256L << 20;

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            GatewayFixture.proxyAllTo(env.origin().authority())
                + """
            limits:
              max-body-size: 0
            """);
  }

  @Test
  void streamsA1GibUploadWithBoundedMemory() throws Exception {
    try (MemorySampler memory = MemorySampler.start();
        Socket s = new Socket("127.0.0.1", gw.port())) {
      long started = System.nanoTime();
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: " + GIB + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      for (long sent = 0; sent < GIB; sent += chunk.length) {
        out.write(chunk);
      }
      out.flush();
      String response = readResponse(s.getInputStream());
      memory.stop();
      report("upload", started, memory);

      assertThat(response).startsWith("HTTP/1.1 200");
      assertThat(response.substring(response.indexOf("\r\n\r\n") + 4))
          .isEqualTo(Long.toString(GIB));
      assertThat(memory.maxDirect()).isLessThan(DIRECT_LIMIT);
      assertThat(memory.maxLiveHeap()).isLessThan(HEAP_LIMIT);
      assertThat(recordOf("/count").requestBytes()).isEqualTo(GIB);
    }
  }

  @Test
  void streamsA1GibDownloadWithBoundedMemory() throws Exception {
    try (MemorySampler memory = MemorySampler.start();
        Socket s = new Socket("127.0.0.1", gw.port())) {
      long started = System.nanoTime();
      s.getOutputStream()
          .write(
              ("GET /download?bytes=" + GIB + " HTTP/1.1\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200").contains("content-length: " + GIB);
      byte[] buf = new byte[64 * 1024];
      long received = 0;
      int n;
      while (received < GIB && (n = in.read(buf)) > 0) {
        received += n;
      }
      memory.stop();
      report("download", started, memory);

      assertThat(received).isEqualTo(GIB);
      s.setSoTimeout(200);
      assertThat(readQuietly(in)).as("nothing after the body").isZero();
      assertThat(memory.maxDirect()).isLessThan(DIRECT_LIMIT);
      assertThat(memory.maxLiveHeap()).isLessThan(HEAP_LIMIT);
      assertThat(recordOf("/download").responseBytes()).isEqualTo(GIB);
    }
  }

  private static ExchangeRecord recordOf(String path) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gw.records().stream().anyMatch(r -> path.equals(r.path())));
    return gw.records().stream().filter(r -> path.equals(r.path())).findFirst().orElseThrow();
  }

  private static void report(String what, long startedNanos, MemorySampler memory) {
    System.out.printf(
        "1 GiB %s through the gateway: %d ms, max direct memory %d KiB (netty counter %s),"
            + " max live heap %d KiB%n",
        what,
        (System.nanoTime() - startedNanos) / 1_000_000,
        memory.maxDirect() >> 10,
        memory.nettyCounted,
        memory.maxLiveHeap() >> 10);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readResponse(InputStream raw) throws IOException {
    InputStream in = new BufferedInputStream(raw);
    String head = readHead(in);
    int at = head.indexOf("content-length: ");
    int length =
        at < 0 ? 0 : Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at)).trim());
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.ISO_8859_1);
  }

  private static long readQuietly(InputStream in) {
    try {
      return Math.max(0, in.read());
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Samples the JVM's direct memory often, and its live heap (after a collection) once a second, on
   * a daemon thread. Netty's own counter is used when Netty allocates direct memory itself; the
   * JDK's direct buffer pool otherwise (both are summed, one of them is near zero).
   */
  private static final class MemorySampler implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong maxDirect = new AtomicLong();
    private final AtomicLong maxLiveHeap = new AtomicLong();
    private final Thread thread;
    private volatile boolean nettyCounted;

    private MemorySampler() {
      thread = new Thread(this::run, "memory-sampler");
      thread.setDaemon(true);
    }

    static MemorySampler start() {
      MemorySampler m = new MemorySampler();
      m.thread.start();
      return m;
    }

    private void run() {
      MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
      BufferPoolMXBean jdkDirect =
          ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
              .filter(b -> b.getName().equals("direct"))
              .findFirst()
              .orElseThrow();
      long nextGc = 0;
      while (running.get()) {
        long netty = PlatformDependent.usedDirectMemory();
        long direct = Math.max(0, netty) + jdkDirect.getMemoryUsed();
        if (netty > 0) {
          nettyCounted = true;
        }
        maxDirect.accumulateAndGet(direct, Math::max);
        long now = System.nanoTime();
        if (now - nextGc >= 0) {
          System.gc();
          maxLiveHeap.accumulateAndGet(heap.getHeapMemoryUsage().getUsed(), Math::max);
          nextGc = now + 1_000_000_000L;
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join();
    }

    long maxDirect() {
      return maxDirect.get();
    }

    long maxLiveHeap() {
      return maxLiveHeap.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
