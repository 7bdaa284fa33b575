package io.portico.upstream;

import org.jspecify.annotations.Nullable;

/** The result of asking a {@link ConnectionPool} for a connection; called on the pool's loop. */
public interface AcquireCallback {

  /**
   * A connection or stream is leased to the caller until it calls {@link UpstreamLease#release}.
   */
  void onAcquired(UpstreamLease lease);

  /** No connection could be had. */
  void onAcquireFailed(AcquireFailure reason, @Nullable Throwable cause);

  /** The service's breaker whose connection limit new connections count against. */
  default CallGate gate() {
    return CallGate.OPEN;
  }

  /** Why an acquisition failed. */
  enum AcquireFailure {
    CONNECT_FAILED,
    CONNECT_TIMEOUT,
    /**
     * Connected, but the TLS handshake failed (the certificate did not verify, or no common
     * ground).
     */
    TLS_FAILED,
    POOL_EXHAUSTED,
    /** The service's circuit breaker allows no more connections. */
    OVERLOADED;

    /** Why a connect failed with {@code cause}: its timeout, or anything else. */
    public static AcquireFailure ofConnect(@Nullable Throwable cause) {
      return cause instanceof io.netty.channel.ConnectTimeoutException
          ? CONNECT_TIMEOUT
          : CONNECT_FAILED;
    }
  }
}
