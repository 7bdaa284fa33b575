package io.portico.upstream;

import io.netty.bootstrap.Bootstrap;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.upstream.tls.UpstreamTls;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LeasePool} of multiplexed connections (HTTP/2, {@code h2.H2Pool}), kept by {@link
 * UpstreamPools} beside its HTTP/1.1 pools and swept, retired and closed with them. Confined to its
 * event loop.
 */
public interface MultiplexedPool extends LeasePool {

  /** Closes connections idle past the pool's idle timeout. */
  void sweep(long now);

  /** Whether nothing is open, being opened or waiting: the pool can be dropped and made anew. */
  boolean unused();

  /** The endpoint went away: connections close after their last stream, waiters fail. */
  void retire();

  /** Closes the connections with nothing in flight (shutdown). */
  void closeIdle();

  /** Makes the pool of one endpoint for one service's protocol settings. */
  interface Factory {

    /**
     * @param http1 the endpoint's HTTP/1.1 pool with the same TLS, for a server whose ALPN does not
     *     choose HTTP/2 under {@code protocol: auto}
     */
    MultiplexedPool create(
        Endpoint endpoint,
        Bootstrap bootstrap,
        @Nullable UpstreamTls tls,
        UpstreamProtocolConfig protocol,
        Supplier<ConnectionPool> http1);
  }
}
