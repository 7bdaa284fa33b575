/**
 * gRPC on the gateway: what the proxy, the transcoder and the gRPC-Web bridge share about the
 * protocol. {@link io.portico.grpc.GrpcStatus} names the status codes and maps them to and from
 * HTTP; {@link io.portico.grpc.GrpcFrameReader} cuts a byte stream into length-prefixed messages
 * under a size cap; {@link io.portico.grpc.GrpcTimeout} reads and writes the {@code grpc-timeout}
 * header; {@link io.portico.grpc.GrpcMessage} percent-encodes the {@code grpc-message} trailer;
 * {@link io.portico.grpc.GrpcContentType} tells gRPC and gRPC-Web requests apart.
 *
 * <p>This package is a protocol library: it knows the config, the upstream call and the SPI, and
 * nothing that runs an exchange. The proxy and the snapshot use it, never the reverse.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.grpc;

import org.jspecify.annotations.NullMarked;
