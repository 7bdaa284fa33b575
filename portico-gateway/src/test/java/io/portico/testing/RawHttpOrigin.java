package io.portico.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An origin on a plain server socket, for tests that need byte-level control of the answer: each
 * request head read from a connection is recorded and answered with the bytes its {@link Responder}
 * gives, as they are, then the connection either reads the next head or becomes a tunnel that
 * echoes whatever arrives (what an upstream does after a real {@code 101}).
 *
 * <p>Threading: one daemon thread accepts, and one daemon thread per connection reads and writes
 * with blocking I/O; {@link #heads()} is safe to read from the test thread.
 */
public final class RawHttpOrigin implements AutoCloseable {

  /** What to write for one request head, and whether the connection is a tunnel after it. */
  public record Answer(String bytes, boolean tunnel) {

    /** Writes {@code bytes} and reads the next head. */
    public static Answer then(String bytes) {
      return new Answer(bytes, false);
    }

    /** Writes {@code bytes}, then echoes everything the connection sends. */
    public static Answer thenTunnel(String bytes) {
      return new Answer(bytes, true);
    }
  }

  /** Answers one request head (the request line and header fields, CRLF CRLF included). */
  @FunctionalInterface
  public interface Responder {
    Answer answer(String head);
  }

  private final ServerSocket server;
  private final Responder responder;
  private final List<String> heads = new CopyOnWriteArrayList<>();

  private RawHttpOrigin(String name, Responder responder) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.responder = responder;
    Thread accept = new Thread(this::acceptLoop, name);
    accept.setDaemon(true);
    accept.start();
  }

  /** Starts an origin on a loopback port; {@code name} names its accepting thread. */
  public static RawHttpOrigin start(String name, Responder responder) throws IOException {
    return new RawHttpOrigin(name, responder);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Every request head received, in order of arrival; a test may clear it. */
  public List<String> heads() {
    return heads;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      Thread t = new Thread(() -> serve(s), Thread.currentThread().getName() + "-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String head;
      while ((head = readHead(in)) != null) {
        heads.add(head);
        Answer answer = responder.answer(head);
        out.write(answer.bytes().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (answer.tunnel()) {
          in.transferTo(out);
          return;
        }
      }
    } catch (IOException e) {
      // the gateway closed the connection
    }
  }

  /** Reads up to and including the blank line that ends a head; null when the stream ends first. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      String s = b.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r\n\r\n")) {
        return s;
      }
    }
    return null;
  }
}
