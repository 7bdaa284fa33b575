package io.portico.config;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A client-facing listener.
 *
 * @param name defaults to {@code http-<port>} / {@code https-<port>}
 * @param tls null for plain text
 * @param http2 whether HTTP/2 is offered: h2c (prior knowledge and upgrade) on plain text, h2 by
 *     ALPN on TLS
 */
public record ListenerConfig(
    String name, InetSocketAddress address, @Nullable TlsConfig tls, boolean http2) {}
