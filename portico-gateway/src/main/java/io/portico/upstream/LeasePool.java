package io.portico.upstream;

import io.portico.config.PoolConfig;
import java.time.Duration;

/**
 * Where an {@link UpstreamCall} gets an {@link UpstreamLease} to one endpoint from its event loop:
 * a {@link ConnectionPool} of HTTP/1.1 connections or an {@code h2.H2Pool} of multiplexed HTTP/2
 * connections. Confined to its event loop.
 */
public interface LeasePool {

  /**
   * Leases to {@code listener} and reports to {@code callback}, now or later, on this pool's event
   * loop; {@code pool} bounds connections and waiters, {@code connectTimeout} a new connection.
   */
  void acquire(
      PoolConfig pool,
      Duration connectTimeout,
      UpstreamListener listener,
      AcquireCallback callback);

  /** Withdraws a waiting request (its client went away or it timed out). */
  void cancel(AcquireCallback callback);
}
