package io.portico.bench;

import com.sun.net.httpserver.HttpServer;
import io.portico.app.Gateway;
import io.portico.observe.ExchangeObserver;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Recording;

/**
 * Bytes allocated per proxied request, by the gateway's event loop and by its other threads, for a
 * list of configs. A count, not a rate: it holds on a machine that other work shares.
 *
 * <pre>
 *   client (1 keep-alive connection, one request at a time) ─▶ Portico (config under test)
 *                                                          ─▶ origin: /hello 13 B, /json 4 KiB,
 *                                                             /chunked 13 B in one chunk
 * </pre>
 *
 * <p>Each config runs in this JVM through {@link Gateway#start}, with {@code PORTICO_BENCH_PORT},
 * {@code PORTICO_BENCH_UPSTREAM} and {@code PORTICO_BENCH_ACCESS_LOG} set as the bench configs read
 * them. After a warm-up (so that the JIT's escape analysis has settled) the requests are sent in
 * rounds; for each round the allocated bytes of every gateway thread ({@code
 * com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) are divided by the requests, and the
 * smallest round is printed. Tracing configs send spans to an OTLP stub on 127.0.0.1:4318 (started
 * here when the port is free). With {@code --jfr DIR}, the measured rounds of each config are also
 * recorded with JFR's allocation samples into {@code DIR/CONFIG-PATH.jfr}, and the heaviest
 * allocation sites are printed ({@link AllocationSites}).
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.portico.bench.AllocationPerRequest \
 *       [--warmup 30000] [--requests 10000] [--rounds 3] [--jfr DIR] [--upstream HOST:PORT]
 *       [CONFIG:PATH ...]
 * </pre>
 *
 * <p>{@code --upstream} sends the gateway to an origin of its own instead of the built-in HTTP/1.1
 * one: {@link HelloOrigin}, for instance, which also speaks h2c, for {@code
 * bench/conf/portico-h2c.yaml} ({@code /h2c/hello} beside {@code /h1/hello}).
 */
public final class AllocationPerRequest {

  private static final String[] DEFAULT_CELLS = {
    "bench/conf/portico-bench-plain.yaml:/hello",
    "bench/conf/portico-bench.yaml:/hello",
    "bench/conf/portico-bench-access-log.yaml:/hello",
    "bench/conf/portico-bench-tracing.yaml:/hello",
    "bench/conf/portico-bench-observability.yaml:/hello",
    "bench/conf/portico-bench.yaml:/json",
    "bench/conf/portico-bench-json-edit.yaml:/json",
  };

  private AllocationPerRequest() {}

  public static void main(String[] args) throws Exception {
    int warmup = 30_000;
    int requests = 10_000;
    int rounds = 3;
    Path jfr = null;
    String upstream = null;
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--jfr" -> jfr = Path.of(args[++i]);
        case "--upstream" -> upstream = args[++i];
        default -> cells.add(args[i]);
      }
    }
    if (cells.isEmpty()) {
      cells.addAll(List.of(DEFAULT_CELLS));
    }
    if (jfr != null) {
      Files.createDirectories(jfr);
    }
    HttpServer otlp = otlpStub();
    try (Origin origin = new Origin()) {
      System.out.printf(
          Locale.ROOT,
          "%-40s %-7s %14s %14s%n",
          "config",
          "path",
          "event loop B/req",
          "other B/req");
      for (String cell : cells) {
        int colon = cell.lastIndexOf(':');
        Path config = Path.of(cell.substring(0, colon));
        String path = cell.substring(colon + 1);
        Path recording =
            jfr == null
                ? null
                : jfr.resolve(
                    config.getFileName().toString().replace(".yaml", "")
                        + path.replace('/', '-')
                        + ".jfr");
        String target = upstream != null ? upstream : "127.0.0.1:" + origin.port();
        long[] perRequest = measure(config, path, target, warmup, requests, rounds, recording);
        System.out.printf(
            Locale.ROOT,
            "%-40s %-7s %14d %14d%n",
            config.getFileName(),
            path,
            perRequest[0],
            perRequest[1]);
      }
    } finally {
      if (otlp != null) {
        otlp.stop(0);
      }
    }
  }

  /** The smallest round's bytes per request: the event loop's, and the other gateway threads'. */
  private static long[] measure(
      Path config,
      String path,
      String upstream,
      int warmup,
      int requests,
      int rounds,
      Path recording)
      throws Exception {
    Path log = Files.createTempFile("portico-alloc-access", ".log");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PORTICO_BENCH_PORT", Integer.toString(port));
    env.put("PORTICO_BENCH_UPSTREAM", upstream);
    env.put("PORTICO_BENCH_ACCESS_LOG", log.toString());
    long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
    try (Gateway gateway = Gateway.start(config, env, ExchangeObserver.NONE);
        Client client = new Client(port)) {
      byte[] request =
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: portico-alloc/1\r\n"
                  + "Accept: */*\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      Recording sites = null;
      for (int i = 0; i < warmup; i++) {
        if (recording != null && i == Math.max(0, warmup - 2000)) {
          sites = AllocationSites.start();
        }
        client.exchange(request);
      }
      Instant measured = Instant.now();
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      for (int r = 0; r < rounds; r++) {
        Map<Long, Boolean> gatewayThreads = gatewayThreads();
        Map<Long, Long> before = allocated(threads, gatewayThreads);
        for (int i = 0; i < requests; i++) {
          client.exchange(request);
        }
        // let the sinks' and exporters' threads take what was queued
        Thread.sleep(600);
        Map<Long, Long> after = allocated(threads, gatewayThreads);
        long loop = 0;
        long other = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
          long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
          if (gatewayThreads.get(e.getKey())) {
            loop += d;
          } else {
            other += d;
          }
        }
        best[0] = Math.min(best[0], loop / requests);
        best[1] = Math.min(best[1], other / requests);
      }
      if (sites != null) {
        AllocationSites.stop(sites, measured, recording, 15, System.out);
      }
    } finally {
      Files.deleteIfExists(log);
    }
    return best;
  }

  /** The gateway's threads by id: true for an event loop. */
  private static Map<Long, Boolean> gatewayThreads() {
    Map<Long, Boolean> out = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.startsWith("bench-")
          || name.equals(Thread.currentThread().getName())
          || name.startsWith("HTTP-Dispatcher")
          || name.startsWith("Reference Handler")
          || name.startsWith("Finalizer")
          || name.startsWith("Signal Dispatcher")
          || name.startsWith("Common-Cleaner")) {
        continue;
      }
      out.put(t.getId(), name.startsWith("portico-io"));
    }
    return out;
  }

  private static Map<Long, Long> allocated(
      com.sun.management.ThreadMXBean threads, Map<Long, Boolean> ids) {
    Map<Long, Long> out = new HashMap<>();
    for (Long id : ids.keySet()) {
      long bytes = threads.getThreadAllocatedBytes(id);
      if (bytes >= 0) {
        out.put(id, bytes);
      }
    }
    return out;
  }

  /** Accepts OTLP/HTTP exports on 127.0.0.1:4318 and discards them; null when the port is taken. */
  private static HttpServer otlpStub() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4318), 16);
      server.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      server.start();
      return server;
    } catch (IOException e) {
      return null;
    }
  }

  /** The 4 KiB JSON document of the shared harness's origin: 49 items and a padding member. */
  static byte[] jsonDocument() {
    StringBuilder doc = new StringBuilder("{\"status\":\"ok\",\"count\":49,\"items\":[");
    for (int i = 0; i < 49; i++) {
      if (i > 0) {
        doc.append(',');
      }
      doc.append(
          String.format(
              Locale.ROOT,
              "{\"id\":%d,\"name\":\"item-%04d\",\"price\":%s,\"tags\":[\"alpha\",\"beta\"],"
                  + "\"active\":%s}",
              i,
              i,
              Double.toString(i * 1.5 + 0.25),
              i % 2 == 0));
    }
    doc.append("],\"pad\":\"");
    while (doc.length() < 4096 - 2) {
      doc.append('x');
    }
    doc.append("\"}");
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A keep-alive HTTP/1.1 origin: GET /hello = 13 bytes of text, GET /chunked = the same text in
   * one chunk, anything else the document.
   */
  private static final class Origin implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] hello;
    private final byte[] json;
    private final byte[] chunked;

    Origin() throws IOException {
      server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
      hello = response("text/plain", "Hello, World!".getBytes(StandardCharsets.US_ASCII));
      json = response("application/json", jsonDocument());
      chunked =
          ("HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: text/plain\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\nd\r\nHello, World!\r\n0\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      Thread accept = new Thread(this::accept, "bench-origin");
      accept.setDaemon(true);
      accept.start();
    }

    private static byte[] response(String type, byte[] body) {
      byte[] head =
          ("HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: "
                  + type
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[head.length + body.length];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(body, 0, all, head.length, body.length);
      return all;
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          s.setTcpNoDelay(true);
          Thread t = new Thread(() -> serve(s), "bench-origin-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
          String head = readHead(in);
          if (head == null) {
            return;
          }
          out.write(
              head.startsWith("GET /hello ")
                  ? hello
                  : head.startsWith("GET /chunked ") ? chunked : json);
          out.flush();
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** One connection, one request at a time; reads each response to its end. */
  private static final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Client(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    void exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String head = readHead(in);
      if (head == null || !head.startsWith("HTTP/1.1 200")) {
        throw new IOException("unexpected response: " + head);
      }
      String lower = head.toLowerCase(Locale.ROOT);
      int cl = lower.indexOf("\r\ncontent-length:");
      if (cl >= 0) {
        int end = lower.indexOf("\r\n", cl + 2);
        long n = Long.parseLong(lower.substring(cl + 17, end).trim());
        in.skipNBytes(n);
      } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
        while (true) {
          String size = readLine(in);
          int semi = size.indexOf(';');
          int n = Integer.parseInt(semi < 0 ? size.trim() : size.substring(0, semi).trim(), 16);
          if (n == 0) {
            while (!readLine(in).isEmpty()) {
              // trailers
            }
            return;
          }
          in.skipNBytes(n);
          readLine(in);
        }
      } else {
        throw new IOException("a response without a length: " + head);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A message head up to its blank line (without it), or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(256);
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched =
          (b == '\r' && (matched == 0 || matched == 2))
                  || (b == '\n' && (matched == 1 || matched == 3))
              ? matched + 1
              : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
