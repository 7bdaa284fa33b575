package io.portico.ai;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LLM provider for tests on a real socket, scripted per request: answers written byte by byte as
 * the test says (JSON, server-sent events in chunks, delays, a cut connection), so every wire
 * format and fault can be played. One thread per connection; every response closes its connection.
 */
final class FakeProvider implements AutoCloseable {

  /** A request as the provider received it; header names in lower case. */
  record Received(String method, String uri, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Answers one request. */
  interface Script {
    void answer(Received request, Responder out) throws Exception;
  }

  /** Writes the response of one request. */
  static final class Responder {
    private final OutputStream out;
    private boolean chunked;

    Responder(OutputStream out) {
      this.out = out;
    }

    void json(int status, String body, String... headers) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder h = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
      h.append("Content-Type: application/json\r\n");
      for (String header : headers) {
        h.append(header).append("\r\n");
      }
      h.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
      out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    }

    /** Starts a chunked {@code text/event-stream} answer. */
    void events() throws IOException {
      chunked = true;
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                  + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** One chunk holding {@code text} (one or more events, or a piece of one). */
    void chunk(String text) throws IOException {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** {@code data: <json>} as one event, with an optional {@code event:} line. */
    void event(String event, String data) throws IOException {
      chunk((event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n");
    }

    /** Ends a chunked answer cleanly. */
    void end() throws IOException {
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }

    void raw(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger writeFailures = new AtomicInteger();
  private volatile Script script;

  FakeProvider(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  String baseUrl(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  void script(Script s) {
    this.script = s;
  }

  List<Received> received() {
    return received;
  }

  Received last() {
    return received.get(received.size() - 1);
  }

  /** How many answers failed to be written because the gateway had closed the connection. */
  int writeFailures() {
    return writeFailures.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      Received r = read(in);
      if (r == null) {
        return;
      }
      received.add(r);
      try {
        script.answer(r, new Responder(socket.getOutputStream()));
      } catch (IOException e) {
        writeFailures.incrementAndGet();
      }
    } catch (Exception e) {
      // the test's assertions say what went wrong
    }
  }

  private static Received read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    if (text.isBlank()) {
      return null;
    }
    String[] lines = text.split("\r\n");
    String[] start = lines[0].split(" ");
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Received(start[0], start[1], headers, new String(body, StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
