package io.portico.upstream;

import java.net.InetSocketAddress;

/**
 * One upstream server a request can be sent to. Immutable; equal endpoints share a connection pool,
 * whichever service or snapshot they come from.
 *
 * @param address the resolved socket address
 * @param authority {@code host:port} as configured, used for the Host header and logs
 * @param weight relative share of requests, at least 1
 */
public record Endpoint(InetSocketAddress address, String authority, int weight) {

  /** The key under which connections to this endpoint are pooled. */
  public InetSocketAddress poolKey() {
    return address;
  }

  @Override
  public String toString() {
    return authority;
  }
}
