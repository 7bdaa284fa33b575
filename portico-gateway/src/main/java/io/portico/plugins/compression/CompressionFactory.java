package io.portico.plugins.compression;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code compression}: encodes response bodies with {@code gzip} or {@code deflate} as the client's
 * {@code Accept-Encoding} prefers, streaming, each chunk flushed. Runs last among the body
 * transforms (priority 10), so it compresses what the other plugins produced. See {@code
 * docs/plugins/compression.md}.
 */
public final class CompressionFactory implements PluginFactory<CompressionFactory.Config> {

  /** The content types compressed unless configured. */
  static final List<String> DEFAULT_TYPES =
      List.of(
          "text/*",
          "application/json",
          "+json",
          "application/javascript",
          "application/xml",
          "+xml",
          "application/x-ndjson",
          "image/svg+xml");

  /**
   * The compiled config.
   *
   * @param minSize bodies whose {@code Content-Length} is smaller are sent as they are
   * @param contentTypes media types compressed: exact, {@code type/*}, or a {@code +suffix}
   * @param level the deflate level, 1 (fastest) to 9 (smallest)
   * @param encodings the codings offered, in the gateway's order of preference
   */
  public record Config(
      long minSize, List<String> contentTypes, int level, List<String> encodings) {}

  @Override
  public String name() {
    return "compression";
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public @Nullable Config parse(ConfigReader config) {
    int before = config.problems().size();
    long minSize = config.size("min-size", 1024, 0, 1L << 30);
    List<String> types = new ArrayList<>();
    for (String t : config.strings("content-types")) {
      types.add(t.trim().toLowerCase(Locale.ROOT));
    }
    int level = config.integer("level", 6, 1, 9);
    List<String> encodings = new ArrayList<>();
    for (String e : config.strings("encodings")) {
      String coding = e.trim().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("deflate")) {
        config.expected(
            "encodings",
            "gzip or deflate (brotli and zstd need native libraries Portico does not ship)");
      } else if (!encodings.contains(coding)) {
        encodings.add(coding);
      }
    }
    config.finish();
    if (config.problems().size() != before) {
      return null;
    }
    return new Config(
        minSize,
        List.copyOf(types.isEmpty() ? DEFAULT_TYPES : types),
        level,
        List.copyOf(encodings.isEmpty() ? List.of("gzip", "deflate") : encodings));
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return new CompressionPlugin(config);
  }
}
