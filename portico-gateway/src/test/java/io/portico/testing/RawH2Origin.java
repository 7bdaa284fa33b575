package io.portico.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * An HTTP/2 server written frame by frame over a plain socket, for upstreams that break the
 * protocol on purpose: each accepted connection runs the {@link Script} its number picks (0 for the
 * first), on a thread of its own, while another thread reads what the gateway sends (the client
 * preface, then frames). HPACK is not decoded: the script answers with static-table and literal
 * fields ({@link #status200()}, {@link RawH2Client#block}).
 */
public final class RawH2Origin implements AutoCloseable {

  public static final int DATA = 0x0;
  public static final int HEADERS = 0x1;
  public static final int PRIORITY = 0x2;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;
  public static final int CONTINUATION = 0x9;

  public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
  public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;

  /** What one connection does, given the connection. */
  public interface Script {
    void run(Conn c) throws Exception;
  }

  private final ServerSocket server;
  private final IntFunction<Script> scripts;
  private final List<Conn> conns = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean closed;

  public RawH2Origin(IntFunction<Script> scripts) throws IOException {
    this.scripts = scripts;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "raw-h2-origin");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port());
  }

  /** Connections accepted so far. */
  public int connections() {
    return accepted.get();
  }

  /** The {@code n}th connection (0 for the first), waiting up to 10 s for it. */
  public Conn conn(int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (conns.size() <= n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no connection " + n + " (" + conns.size() + " accepted)");
      }
      Thread.sleep(10);
    }
    return conns.get(n);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = server.accept();
        int n = accepted.getAndIncrement();
        Conn c = new Conn(s);
        conns.add(c);
        Script script = scripts.apply(n);
        Thread t =
            new Thread(
                () -> {
                  try {
                    script.run(c);
                  } catch (Exception | AssertionError e) {
                    // the gateway closed the connection, or the script is over (a script waiting
                    // for a frame that never comes ends here, not in whichever test runs then)
                  }
                },
                "raw-h2-origin-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Conn c : conns) {
      c.close();
    }
  }

  /** The HPACK block of {@code :status: 200} (static table index 8). */
  public static byte[] status200() {
    return new byte[] {(byte) 0x88};
  }

  /** A frame the gateway sent. */
  public record Frame(int type, int flags, int streamId, byte[] payload) {
    public boolean endStream() {
      return (flags & 0x1) != 0;
    }
  }

  /** One connection from the gateway. */
  public static final class Conn implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicInteger pingAcks = new AtomicInteger();
    private final AtomicInteger settingsAcks = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      socket.setTcpNoDelay(true);
      this.out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      Thread t = new Thread(this::read, "raw-h2-origin-reader");
      t.setDaemon(true);
      t.start();
    }

    private void read() {
      try {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readFully(new byte[24]);
        byte[] head = new byte[9];
        while (true) {
          in.readFully(head);
          int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
          int type = head[3] & 0xff;
          int flags = head[4] & 0xff;
          int stream =
              (head[5] & 0x7f) << 24
                  | (head[6] & 0xff) << 16
                  | (head[7] & 0xff) << 8
                  | head[8] & 0xff;
          byte[] payload = new byte[length];
          in.readFully(payload);
          switch (type) {
            case PING -> {
              if ((flags & 1) != 0) {
                pingAcks.incrementAndGet();
              }
            }
            case SETTINGS -> {
              if ((flags & 1) != 0) {
                settingsAcks.incrementAndGet();
              }
            }
            case GOAWAY ->
                goAway.complete(
                    (payload[4] & 0xffL) << 24
                        | (payload[5] & 0xffL) << 16
                        | (payload[6] & 0xffL) << 8
                        | payload[7] & 0xffL);
            case RST_STREAM -> {
              resets.incrementAndGet();
              frames.add(new Frame(type, flags, stream, payload));
            }
            case HEADERS, DATA, CONTINUATION -> frames.add(new Frame(type, flags, stream, payload));
            default -> {}
          }
        }
      } catch (EOFException e) {
        // the gateway closed
      } catch (IOException e) {
        // reset or closed here
      } finally {
        closed.complete(null);
      }
    }

    /** The next HEADERS frame the gateway sent (a request's head), within 10 s. */
    public Frame request() throws InterruptedException {
      return next(HEADERS);
    }

    /** The next frame of {@code type} the gateway sent, within 10 s. */
    public Frame next(int type) throws InterruptedException {
      while (true) {
        Frame f = frames.poll(10, TimeUnit.SECONDS);
        if (f == null) {
          throw new AssertionError("no frame of type " + type + " within 10 s");
        }
        if (f.type() == type) {
          return f;
        }
      }
    }

    /** The error code of the GOAWAY the gateway sent. */
    public CompletableFuture<Long> goAway() {
      return goAway;
    }

    /** Completes when the gateway closed the connection. */
    public CompletableFuture<Void> closed() {
      return closed;
    }

    public int pingAcks() {
      return pingAcks.get();
    }

    public int settingsAcks() {
      return settingsAcks.get();
    }

    public int resets() {
      return resets.get();
    }

    public Conn frame(int type, int flags, int streamId, byte[] payload) throws IOException {
      out.write(
          new byte[] {
            (byte) (payload.length >>> 16),
            (byte) (payload.length >>> 8),
            (byte) payload.length,
            (byte) type,
            (byte) flags,
            (byte) (streamId >>> 24),
            (byte) (streamId >>> 16),
            (byte) (streamId >>> 8),
            (byte) streamId
          });
      out.write(payload);
      return this;
    }

    /** A SETTINGS frame with the given {@code id, value} pairs. */
    public Conn settings(long... pairs) throws IOException {
      byte[] p = new byte[pairs.length / 2 * 6];
      for (int i = 0; i < pairs.length; i += 2) {
        int o = i / 2 * 6;
        p[o] = (byte) (pairs[i] >>> 8);
        p[o + 1] = (byte) pairs[i];
        for (int k = 0; k < 4; k++) {
          p[o + 2 + k] = (byte) (pairs[i + 1] >>> (24 - 8 * k));
        }
      }
      return frame(SETTINGS, 0, 0, p);
    }

    public Conn ping(long data) throws IOException {
      byte[] p = new byte[8];
      for (int k = 0; k < 8; k++) {
        p[k] = (byte) (data >>> (56 - 8 * k));
      }
      return frame(PING, 0, 0, p);
    }

    public Conn headers(int streamId, byte[] block, boolean endHeaders, boolean endStream)
        throws IOException {
      return frame(HEADERS, (endHeaders ? 0x4 : 0) | (endStream ? 0x1 : 0), streamId, block);
    }

    public Conn continuation(int streamId, byte[] fragment, boolean endHeaders) throws IOException {
      return frame(CONTINUATION, endHeaders ? 0x4 : 0, streamId, fragment);
    }

    public Conn data(int streamId, byte[] data, boolean endStream) throws IOException {
      return frame(DATA, endStream ? 0x1 : 0, streamId, data);
    }

    public Conn reset(int streamId, long code) throws IOException {
      return frame(
          RST_STREAM,
          0,
          streamId,
          new byte[] {
            (byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code
          });
    }

    /** Answers {@code streamId} with 200 and {@code body}. */
    public Conn respond(int streamId, String body) throws IOException {
      headers(streamId, status200(), true, false);
      data(streamId, body.getBytes(StandardCharsets.UTF_8), true);
      return flush();
    }

    /** SETTINGS, then a 200 with {@code body} for every request, until the connection ends. */
    public void serve(String body) throws Exception {
      settings().flush();
      respondAll(body);
    }

    /** A 200 with {@code body} for every request, until the connection ends. */
    public void respondAll(String body) throws Exception {
      while (!closed.isDone()) {
        Frame f = frames.poll(100, TimeUnit.MILLISECONDS);
        if (f != null && f.type() == HEADERS) {
          respond(f.streamId(), body);
        }
      }
    }

    public Conn bytes(byte[] b) throws IOException {
      out.write(b);
      return this;
    }

    public Conn flush() throws IOException {
      out.flush();
      return this;
    }

    /** An HPACK block of literal fields without indexing, {@code "name", "value"...}. */
    public static byte[] literals(String... fields) {
      return RawH2Client.block(fields);
    }

    /** Concatenates blocks. */
    public static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        b.writeBytes(p);
      }
      return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
