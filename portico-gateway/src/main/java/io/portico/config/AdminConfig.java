package io.portico.config;

import java.net.InetSocketAddress;

/**
 * The admin listener.
 *
 * @param address null disables the admin listener
 * @param token required as {@code Authorization: Bearer <token>} when set; mandatory when the
 *     address is not a loopback address
 */
public record AdminConfig(InetSocketAddress address, String token) {}
