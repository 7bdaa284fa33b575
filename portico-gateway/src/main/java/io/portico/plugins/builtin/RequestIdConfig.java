package io.portico.plugins.builtin;

import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code request-id}.
 *
 * @param header an extra request header that carries the id upstream besides {@code X-Request-Id},
 *     or null for none
 * @param echoDownstream whether the id is set on the response to the client
 * @param echoHeader the response header that carries the id: {@code header}, else {@code
 *     X-Request-Id}
 */
public record RequestIdConfig(
    @Nullable AsciiString header, boolean echoDownstream, AsciiString echoHeader) {}
