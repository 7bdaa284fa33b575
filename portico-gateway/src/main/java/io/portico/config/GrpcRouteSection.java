package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import org.jspecify.annotations.Nullable;

/** Parses a route's {@code grpc} section into a {@link GrpcRouteConfig}. */
final class GrpcRouteSection {

  /** The largest message cap: 1 GiB. */
  static final long MAX_MESSAGE_SIZE = 1L << 30;

  private final Problems problems;

  GrpcRouteSection(Problems problems) {
    this.problems = problems;
  }

  /** The route's gRPC settings, or null when it has no {@code grpc} section. */
  @Nullable GrpcRouteConfig parse(ConfigReader route) {
    ConfigNode node = route.child("grpc");
    if (node == null) {
      return null;
    }
    if (!node.isObject()) {
      problems.expected(node, "an object with max-message-size, max-response-message-size");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    long maxMessageSize =
        r.size("max-message-size", GrpcRouteConfig.DEFAULT_MAX_MESSAGE_SIZE, 1, MAX_MESSAGE_SIZE);
    long maxResponseMessageSize =
        r.size(
            "max-response-message-size",
            GrpcRouteConfig.DEFAULT_MAX_MESSAGE_SIZE,
            1,
            MAX_MESSAGE_SIZE);
    r.finish();
    if (route.has("aggregate") || route.has("ai")) {
      problems.expected(node, "no grpc on a route with aggregate or ai");
    }
    return new GrpcRouteConfig((int) maxMessageSize, (int) maxResponseMessageSize);
  }
}
