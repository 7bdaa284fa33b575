package io.portico.plugins.grpc;

import io.portico.plugins.builtin.AllowedOrigins;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code grpc-web}.
 *
 * @param origins the browser origins allowed to call (CORS); any by default
 * @param allowHeaders request headers a preflight is told it may send
 * @param exposeHeaders response headers scripts may read, beside {@code grpc-status}, {@code
 *     grpc-message} and {@code grpc-status-details-bin}
 * @param maxAgeSeconds how long a browser may cache a preflight's answer, or null
 * @param maxMessageBytes the largest request body of a {@code grpc-web-text} call, decoded
 */
record GrpcWebConfig(
    AllowedOrigins origins,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    @Nullable Long maxAgeSeconds,
    int maxMessageBytes) {}
