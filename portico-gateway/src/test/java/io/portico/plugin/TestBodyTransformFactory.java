package io.portico.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A test plugin for the body stages. Config {@code mode}:
 *
 * <ul>
 *   <li>{@code upper}: streams the response body upper-cased, chunk by chunk, and adds {@code !END}
 *       at the end;
 *   <li>{@code events}: upper-cases each server-sent event and counts them in a last comment;
 *   <li>{@code whole}: collects the body (at most {@code max-bytes}) and answers {@code
 *       {"length":N}} as JSON instead, changing the content type;
 *   <li>{@code throw}: a chunk step that throws;
 *   <li>{@code same}: returns each chunk unchanged (the input itself);
 *   <li>{@code replace-request}: reads the request body and forwards {@code replaced:<BODY
 *       UPPER-CASED>} instead.
 * </ul>
 */
public final class TestBodyTransformFactory
    implements PluginFactory<TestBodyTransformFactory.Config> {

  /** The plugin's config. */
  public record Config(String mode, int maxBytes) {}

  /**
   * The YAML of a gateway in front of the origin at {@code originAuthority} (service {@code
   * backend}) with a route per entry of {@code modes}: {@code /<name>/} to the origin, prefix
   * stripped, through this plugin configured with {@code mode: <value>} (the value may go on with
   * more settings, as in {@code "whole, max-bytes: 1000"}); and {@code /plain/} without the plugin.
   * Routes are written in the order of their names.
   */
  public static String routes(String originAuthority, Map<String, String> modes) {
    StringBuilder yaml =
        new StringBuilder(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
            """
                .formatted(originAuthority));
    new TreeMap<>(modes)
        .forEach(
            (name, mode) ->
                yaml.append(
                    """
                      - name: %1$s
                        paths: [ /%1$s/ ]
                        service: backend
                        strip-prefix: true
                        plugins:
                          test-body-transform: { mode: %2$s }
                    """
                        .formatted(name, mode)));
    return yaml.append(
            """
              - name: plain
                paths: [ /plain/ ]
                service: backend
                strip-prefix: true
            """)
        .toString();
  }

  @Override
  public String name() {
    return "test-body-transform";
  }

  @Override
  public int priority() {
    return 500;
  }

  @Override
  public Config parse(ConfigReader config) {
    return new Config(
        config.oneOf(
            "mode",
            "upper",
            List.of("upper", "events", "whole", "throw", "same", "replace-request")),
        config.integer("max-bytes", 1 << 20, 1, 1 << 30));
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return config.mode().equals("replace-request")
            ? Set.of(Phase.ACCESS)
            : Set.of(Phase.RESPONSE_BODY);
      }

      @Override
      public Outcome access(Exchange exchange) {
        return Outcome.await(
            exchange
                .requestBody(1 << 20)
                .thenApply(
                    body -> {
                      String text = body.toString(StandardCharsets.UTF_8);
                      exchange.replaceRequestBody(
                          Unpooled.copiedBuffer(
                              "replaced:" + text.toUpperCase(Locale.ROOT), StandardCharsets.UTF_8));
                      return Outcome.proceed();
                    }));
      }

      @Override
      public BodyTransform responseBody(Exchange exchange) {
        return switch (config.mode()) {
          case "upper" ->
              BodyTransform.chunks(
                  (in, alloc) -> upper(in), (in, alloc) -> ByteBufUtil.writeAscii(alloc, "!END"));
          case "events" -> {
            int[] count = new int[1];
            yield BodyTransform.events(
                (in, alloc) -> {
                  count[0]++;
                  return upper(in);
                },
                (in, alloc) -> ByteBufUtil.writeAscii(alloc, ": " + count[0] + " events\n\n"));
          }
          case "whole" ->
              BodyTransform.whole(
                  config.maxBytes(),
                  (in, alloc) -> {
                    exchange.response().headers().set("content-type", "application/json");
                    return ByteBufUtil.writeAscii(alloc, "{\"length\":" + in.readableBytes() + "}");
                  });
          case "throw" ->
              BodyTransform.chunks(
                  (in, alloc) -> {
                    throw new IllegalStateException("a broken transform");
                  });
          case "same" -> BodyTransform.chunks((in, alloc) -> in);
          default -> null;
        };
      }
    };
  }

  private static ByteBuf upper(ByteBuf in) {
    return Unpooled.copiedBuffer(
        in.toString(StandardCharsets.UTF_8).toUpperCase(Locale.ROOT), StandardCharsets.UTF_8);
  }
}
