/**
 * HTTP/2 to upstream endpoints: {@link io.portico.upstream.h2.H2Pool} (one event loop's multiplexed
 * connections to one endpoint, h2c with prior knowledge or h2 chosen by ALPN), {@link
 * io.portico.upstream.h2.H2Connection} (one connection, one Netty {@code Http2ConnectionHandler}:
 * SETTINGS, GOAWAY, PING keepalive, its streams' frames) and {@link
 * io.portico.upstream.h2.H2Stream} (one stream, a plain object with no channel of its own, the
 * {@link io.portico.upstream.UpstreamLease} an {@link io.portico.upstream.UpstreamCall} holds).
 */
@NullMarked
package io.portico.upstream.h2;

import org.jspecify.annotations.NullMarked;
