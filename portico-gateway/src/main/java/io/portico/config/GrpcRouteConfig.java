package io.portico.config;

/**
 * What a route's {@code grpc} section sets for the gRPC calls it carries.
 *
 * @param maxMessageSize the largest request message, in bytes, that a call may send: a message
 *     whose length prefix says more is refused with {@code RESOURCE_EXHAUSTED} before it is
 *     forwarded
 * @param maxResponseMessageSize the largest response message, in bytes, that the upstream may send
 *     back (a client's receive limit, as grpc-java's {@code maxInboundMessageSize}): a larger one
 *     ends the call with {@code RESOURCE_EXHAUSTED} before any of it reaches the client, and the
 *     upstream stream is reset
 */
public record GrpcRouteConfig(int maxMessageSize, int maxResponseMessageSize) {

  /** gRPC's own default receive limit: 4 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 << 20;

  /** What a route without a {@code grpc} section applies to its gRPC calls. */
  public static final GrpcRouteConfig DEFAULTS =
      new GrpcRouteConfig(DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_MESSAGE_SIZE);

  /** Request messages capped at {@code maxMessageSize}, responses at gRPC's default. */
  public GrpcRouteConfig(int maxMessageSize) {
    this(maxMessageSize, DEFAULT_MAX_MESSAGE_SIZE);
  }
}
