package io.portico.plugins.grpc;

import io.portico.plugins.builtin.AllowedOrigins;
import io.portico.plugins.builtin.ConfigValues;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code grpc-web}: browser gRPC-Web ({@code application/grpc-web}, {@code
 * application/grpc-web-text}) into gRPC over HTTP/2 to the route's service, with CORS for the
 * browser's preflight. See {@link GrpcWebPlugin}.
 */
public final class GrpcWebFactory implements PluginFactory<GrpcWebConfig> {

  static final List<String> DEFAULT_ALLOW_HEADERS =
      List.of(
          "content-type",
          "x-grpc-web",
          "x-user-agent",
          "grpc-timeout",
          "authorization",
          "x-request-id");

  @Override
  public String name() {
    return "grpc-web";
  }

  /** Above authentication (2000+) so a preflight, which carries no credentials, is answered. */
  @Override
  public int priority() {
    return 2550;
  }

  @Override
  public @Nullable GrpcWebConfig parse(ConfigReader config) {
    AllowedOrigins origins = new AllowedOrigins(true, Set.of(), List.of());
    if (config.has("allow-origins")) {
      origins =
          AllowedOrigins.compile(ConfigValues.strings(config, "allow-origins"), config.problems());
      ConfigNode list = config.child("allow-origins");
      if (list != null && list.isList() && list.items().isEmpty()) {
        config.problems().at(list, "an empty list (expected: at least one origin, or * for any)");
      }
    }
    List<String> allowHeaders =
        config.has("allow-headers") ? config.strings("allow-headers") : DEFAULT_ALLOW_HEADERS;
    List<String> exposeHeaders = config.strings("expose-headers");
    Duration maxAge = config.duration("max-age", null);
    long maxMessage =
        config.size(
            "max-message-size", GrpcTranscodeFactory.DEFAULT_MAX_MESSAGE, 1, Integer.MAX_VALUE / 2);
    if (origins == null) {
      return null;
    }
    return new GrpcWebConfig(
        origins,
        List.copyOf(allowHeaders),
        List.copyOf(exposeHeaders),
        maxAge == null ? null : maxAge.toSeconds(),
        (int) maxMessage);
  }

  @Override
  public Plugin create(GrpcWebConfig config, PluginContext context) {
    return new GrpcWebPlugin(config);
  }
}
