package io.portico.upstream.h2;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.portico.config.PoolConfig;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.upstream.AcquireCallback;
import io.portico.upstream.CallGate;
import io.portico.upstream.ConnectionPool;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointRemovedException;
import io.portico.upstream.MultiplexedPool;
import io.portico.upstream.UpstreamListener;
import io.portico.upstream.tls.UpstreamTls;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * One event loop's HTTP/2 connections to one endpoint, which lease streams ({@link H2Stream}).
 *
 * <p>A request takes a stream on the first ready connection with room under its limit (the peer's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS}, capped by the service's {@code
 * http2.max-concurrent-streams}), so streams pack onto few connections. With no room it waits for a
 * connection being opened when that one can take it, else opens another connection while fewer than
 * the pool's {@code max-connections} exist, else waits (up to {@code max-pending} waiters) for a
 * stream to end; beyond that it fails with {@code POOL_EXHAUSTED}. Nothing queues without bound.
 *
 * <p>Connections: h2c (HTTP/2 in the clear with prior knowledge) or TLS whose ALPN chose {@code
 * h2}. A connection is usable once the peer's first SETTINGS arrived. A {@code GOAWAY} stops new
 * streams on it; waiters then go to another connection. With {@code protocol: auto} a server whose
 * ALPN chose {@code http/1.1} turns the pool into a front for the endpoint's HTTP/1.1 {@link
 * ConnectionPool}; with {@code h2} that is a failed handshake ({@code TLS_FAILED}).
 *
 * <p>Connections idle past the pool's {@code idle-timeout} are closed by the sweep; a retired pool
 * (its endpoint left) closes connections as their last stream ends and fails its waiters as a
 * failed connect would. Confined to its event loop.
 */
public final class H2Pool implements MultiplexedPool {

  private final Endpoint endpoint;
  private final Bootstrap bootstrap;
  private final @Nullable UpstreamTls tls;
  private final @Nullable String serverName;
  private final UpstreamProtocolConfig protocol;
  private final Supplier<ConnectionPool> http1;
  private final List<H2Connection> connections = new ArrayList<>(2);
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int connecting;
  private int expectedStreams;
  private boolean retired;
  private boolean fallback;
  private PoolConfig config = PoolConfig.DEFAULTS;
  private Duration connectTimeout = Duration.ofSeconds(5);

  /**
   * @param http1 the endpoint's HTTP/1.1 pool with the same TLS, for {@code protocol: auto} when
   *     the server does not offer {@code h2}
   */
  public H2Pool(
      Endpoint endpoint,
      Bootstrap bootstrap,
      @Nullable UpstreamTls tls,
      UpstreamProtocolConfig protocol,
      Supplier<ConnectionPool> http1) {
    this.endpoint = endpoint;
    this.bootstrap = bootstrap;
    this.tls = tls;
    this.serverName = tls == null ? null : tls.serverName(endpoint.authority());
    this.protocol = protocol;
    this.http1 = http1;
    this.expectedStreams = protocol.maxConcurrentStreams();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** Connections open or being opened. */
  public int size() {
    return connections.size() + connecting;
  }

  /** Requests waiting for a stream. */
  public int pendingCount() {
    return waiters.size();
  }

  /** Streams open over every connection. */
  public int activeStreams() {
    int n = 0;
    for (H2Connection c : connections) {
      n += c.active();
    }
    return n;
  }

  /** Whether a server chose HTTP/1.1 by ALPN, so leases come from the HTTP/1.1 pool. */
  public boolean fellBack() {
    return fallback;
  }

  @Override
  public void acquire(
      PoolConfig pool,
      Duration connectTimeout,
      UpstreamListener listener,
      AcquireCallback callback) {
    if (retired) {
      callback.onAcquireFailed(
          AcquireCallback.AcquireFailure.CONNECT_FAILED, new EndpointRemovedException(endpoint));
      return;
    }
    if (fallback) {
      http1.get().acquire(pool, connectTimeout, listener, callback);
      return;
    }
    this.config = pool;
    this.connectTimeout = connectTimeout;
    H2Connection c = withCapacity();
    if (c != null) {
      c.openStream(listener, callback);
      return;
    }
    if (waiters.size() < incomingCapacity()) {
      // A connection being opened will take it.
      waiters.add(new Waiter(listener, callback));
      return;
    }
    if (size() < pool.maxConnections()) {
      if (!callback.gate().tryOpenConnection()) {
        callback.onAcquireFailed(AcquireCallback.AcquireFailure.OVERLOADED, null);
        return;
      }
      Waiter w = new Waiter(listener, callback);
      waiters.add(w);
      connect(callback.gate(), w);
    } else if (waiters.size() < incomingCapacity() + pool.maxPending()) {
      waiters.add(new Waiter(listener, callback));
    } else {
      callback.onAcquireFailed(AcquireCallback.AcquireFailure.POOL_EXHAUSTED, null);
    }
  }

  @Override
  public void cancel(AcquireCallback callback) {
    if (fallback) {
      http1.get().cancel(callback);
    }
    waiters.removeIf(w -> w.callback == callback);
  }

  private @Nullable H2Connection withCapacity() {
    for (int i = 0; i < connections.size(); i++) {
      H2Connection c = connections.get(i);
      if (c.hasCapacity()) {
        return c;
      }
    }
    return null;
  }

  /**
   * Streams the connections being opened are expected to take: those still connecting and those
   * connected but awaiting the peer's first SETTINGS, each the limit the last ready connection had
   * (the service's cap before any was ready).
   */
  private long incomingCapacity() {
    int incoming = connecting;
    for (int i = 0; i < connections.size(); i++) {
      if (connections.get(i).awaitingSettings()) {
        incoming++;
      }
    }
    return (long) incoming * expectedStreams;
  }

  private void connect(CallGate gate, @Nullable Waiter trigger) {
    connecting++;
    H2Connection c = H2Connection.create(this, protocol, gate);
    Duration timeout = connectTimeout;
    Bootstrap b =
        bootstrap
            .clone()
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls != null && serverName != null) {
                      tls.addTo(
                          ch,
                          serverName,
                          endpoint.address().getPort(),
                          Math.max(1, timeout.toMillis()));
                    } else {
                      c.addTo(ch.pipeline());
                    }
                  }
                });
    ChannelFuture f = b.connect(endpoint.address());
    f.addListener(
        future -> {
          if (!future.isSuccess()) {
            Throwable cause = future.cause();
            connectFailed(AcquireCallback.AcquireFailure.ofConnect(cause), cause, gate, trigger);
            return;
          }
          Channel ch = f.channel();
          SslHandler ssl = ch.pipeline().get(SslHandler.class);
          if (ssl == null) {
            connected(c, timeout);
            return;
          }
          ssl.handshakeFuture()
              .addListener(
                  h -> {
                    if (!h.isSuccess()) {
                      ch.close();
                      connectFailed(
                          AcquireCallback.AcquireFailure.TLS_FAILED, h.cause(), gate, trigger);
                      return;
                    }
                    String chosen = ssl.applicationProtocol();
                    if (ApplicationProtocolNames.HTTP_2.equals(chosen)) {
                      c.addTo(ch.pipeline());
                      connected(c, timeout);
                    } else if (protocol.protocol() == UpstreamProtocolConfig.Protocol.AUTO) {
                      ch.close();
                      fallBack(gate);
                    } else {
                      ch.close();
                      connectFailed(
                          AcquireCallback.AcquireFailure.TLS_FAILED,
                          new SSLHandshakeException(
                              endpoint
                                  + " did not choose h2 by ALPN"
                                  + (chosen == null ? "" : " (it chose " + chosen + ")")),
                          gate,
                          trigger);
                    }
                  });
        });
  }

  private void connected(H2Connection c, Duration timeout) {
    connecting--;
    if (retired) {
      c.gate().connectionClosed();
      c.channel().close();
      return;
    }
    connections.add(c);
    // The peer's SETTINGS make it usable; a peer that sends none within the timeout is dropped.
    c.channel()
        .eventLoop()
        .schedule(
            () -> {
              if (!c.ready()) {
                c.channel().close();
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private void connectFailed(
      AcquireCallback.AcquireFailure reason,
      @Nullable Throwable cause,
      CallGate gate,
      @Nullable Waiter trigger) {
    connecting--;
    gate.connectionClosed();
    if (trigger != null && waiters.remove(trigger)) {
      trigger.callback.onAcquireFailed(reason, cause);
    }
    if (connecting == 0 && withCapacity() == null && connections.isEmpty()) {
      // No connection to wait for: every waiter fails as this connect did.
      failWaiters(reason, cause);
    }
  }

  /** A server chose HTTP/1.1: every request, waiting or later, goes to the HTTP/1.1 pool. */
  private void fallBack(CallGate gate) {
    connecting--;
    gate.connectionClosed();
    fallback = true;
    ConnectionPool pool = http1.get();
    Waiter[] moving = waiters.toArray(new Waiter[0]);
    waiters.clear();
    for (Waiter w : moving) {
      pool.acquire(config, connectTimeout, w.listener, w.callback);
    }
  }

  private void failWaiters(AcquireCallback.AcquireFailure reason, @Nullable Throwable cause) {
    Waiter[] failing = waiters.toArray(new Waiter[0]);
    waiters.clear();
    for (Waiter w : failing) {
      w.callback.onAcquireFailed(reason, cause);
    }
  }

  /** The peer's first SETTINGS arrived: serve the waiters. */
  void connectionReady(H2Connection c) {
    expectedStreams = Math.max(1, c.limit());
    serveWaiters();
  }

  /** A stream ended (or a limit grew): a waiter may take its place. */
  void streamClosed(H2Connection c) {
    serveWaiters();
  }

  /** The peer sent GOAWAY: waiters go elsewhere, on a new connection if needed. */
  void connectionDraining(H2Connection c) {
    serveWaiters();
  }

  void connectionClosed(H2Connection c) {
    if (connections.remove(c)) {
      c.gate().connectionClosed();
    }
    if (!c.ready() && connecting == 0 && connections.isEmpty()) {
      // Closed before the peer's SETTINGS (not an HTTP/2 server?): fail as a connect, no retry
      // loop.
      failWaiters(
          AcquireCallback.AcquireFailure.CONNECT_FAILED,
          new java.io.IOException(endpoint + " closed the connection before its HTTP/2 SETTINGS"));
      return;
    }
    serveWaiters();
  }

  private void serveWaiters() {
    while (!waiters.isEmpty()) {
      H2Connection c = withCapacity();
      if (c == null) {
        break;
      }
      Waiter w = waiters.pollFirst();
      c.openStream(w.listener, w.callback);
    }
    // Waiters no connection will take: open more connections while allowed.
    while (!retired
        && !fallback
        && waiters.size() > incomingCapacity()
        && size() < config.maxConnections()) {
      Waiter first = waiters.peekFirst();
      if (first == null || !first.callback.gate().tryOpenConnection()) {
        break;
      }
      connect(first.callback.gate(), null);
    }
    // Beyond what the connections being opened will take, at most max-pending wait.
    while (waiters.size() > incomingCapacity() + config.maxPending()) {
      waiters
          .pollLast()
          .callback
          .onAcquireFailed(AcquireCallback.AcquireFailure.POOL_EXHAUSTED, null);
    }
  }

  /** Closes connections with no stream open for the pool's idle timeout. */
  @Override
  public void sweep(long now) {
    long limit = config.idleTimeout().toNanos();
    for (H2Connection c : new ArrayList<>(connections)) {
      if (c.active() == 0 && c.ready() && now - c.idleSince() >= limit) {
        c.drain();
      }
    }
  }

  /** Whether nothing is open, being opened or waiting: the pool can be dropped and made anew. */
  @Override
  public boolean unused() {
    return connections.isEmpty() && connecting == 0 && waiters.isEmpty() && !fallback;
  }

  /**
   * The endpoint went away: connections close as their last stream ends, waiters fail as after a
   * failed connect. Idempotent.
   */
  @Override
  public void retire() {
    if (retired) {
      return;
    }
    retired = true;
    for (H2Connection c : new ArrayList<>(connections)) {
      c.drain();
    }
    failWaiters(
        AcquireCallback.AcquireFailure.CONNECT_FAILED, new EndpointRemovedException(endpoint));
  }

  /** Closes the connections with no stream open (shutdown). */
  @Override
  public void closeIdle() {
    for (H2Connection c : new ArrayList<>(connections)) {
      if (c.active() == 0) {
        c.channel().close();
      }
    }
  }

  private record Waiter(UpstreamListener listener, AcquireCallback callback) {}
}
