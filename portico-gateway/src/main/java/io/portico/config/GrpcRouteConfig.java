package io.portico.config;

/**
 * What a route's {@code grpc} section sets for the gRPC calls it carries.
 *
 * @param maxMessageSize the largest request message, in bytes, that a call may send: a message
 *     whose length prefix says more is refused with {@code RESOURCE_EXHAUSTED} before it is
 *     forwarded
 */
public record GrpcRouteConfig(int maxMessageSize) {

  /** gRPC's own default receive limit: 4 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 << 20;

  /** What a route without a {@code grpc} section applies to its gRPC calls. */
  public static final GrpcRouteConfig DEFAULTS = new GrpcRouteConfig(DEFAULT_MAX_MESSAGE_SIZE);
}
