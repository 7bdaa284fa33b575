package io.portico.plugins.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between the gateway and Redis that a test can break: {@link #cut()} closes every
 * connection and refuses new ones (Redis gone), {@link #stall()} keeps connections open but stops
 * relaying (Redis hung), {@link #restore()} relays again.
 */
final class TcpProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private volatile boolean stalled;
  private final java.util.concurrent.atomic.AtomicInteger accepted =
      new java.util.concurrent.atomic.AtomicInteger();

  TcpProxy(String host, int targetPort) throws IOException {
    this.target = new InetSocketAddress(host, targetPort);
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = s.getLocalPort();
    listen(s);
  }

  int port() {
    return port;
  }

  /** How many connections the relay has accepted. */
  int accepted() {
    return accepted.get();
  }

  private void listen(ServerSocket s) {
    server = s;
    Thread accept =
        new Thread(
            () -> {
              while (!s.isClosed()) {
                try {
                  Socket client = s.accept();
                  accepted.incrementAndGet();
                  Socket upstream = new Socket(target.getAddress(), target.getPort());
                  sockets.add(client);
                  sockets.add(upstream);
                  relay(client, upstream);
                  relay(upstream, client);
                } catch (IOException e) {
                  return;
                }
              }
            },
            "tcp-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  private void relay(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  while (stalled) {
                    Thread.sleep(10);
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-relay");
    t.setDaemon(true);
    t.start();
  }

  /** Closes every connection and refuses new ones. */
  void cut() {
    closeQuietly(server);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** Holds every byte from now on, without closing anything. */
  void stall() {
    stalled = true;
  }

  /** Relays again, listening on the same port if it was cut. */
  void restore() throws IOException {
    stalled = false;
    if (server.isClosed()) {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      listen(s);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }

  @Override
  public void close() {
    stalled = false;
    cut();
  }
}
