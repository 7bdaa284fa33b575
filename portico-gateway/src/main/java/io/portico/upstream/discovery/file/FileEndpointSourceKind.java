package io.portico.upstream.discovery.file;

import io.portico.config.DiscoveryKind;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.discovery.DiscoveryLimits;
import io.portico.upstream.discovery.Registries;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code discovery: { kind: file, path: /etc/portico/users.yaml }}: the endpoints listed in a file,
 * read again when it changes (see {@link FileEndpointSource} for its format).
 */
public final class FileEndpointSourceKind implements EndpointSourceKind<FileSettings> {

  public static final String NAME = "file";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public FileSettings parse(ConfigReader service) {
    ConfigReader r = DiscoveryKind.settingsOf(service);
    ConfigNode pathNode = r.required("path", "the absolute path of a YAML or JSON file");
    Path path = Path.of("/");
    if (pathNode != null) {
      String text = pathNode.text();
      try {
        path = Path.of(text == null ? "" : text);
        if (!path.isAbsolute()) {
          r.problems().expected(pathNode, "an absolute path");
        }
      } catch (InvalidPathException e) {
        r.problems().expected(pathNode, "an absolute path");
      }
    }
    Duration interval =
        r.duration("interval", DEFAULT_INTERVAL, Duration.ofMillis(10), Duration.ofHours(1));
    boolean allowEmpty = Registries.allowEmpty(r);
    DiscoveryLimits limits = Registries.limits(r);
    r.finish();
    return new FileSettings(
        path.normalize(), interval == null ? DEFAULT_INTERVAL : interval, allowEmpty, limits);
  }

  @Override
  public EndpointSource create(FileSettings settings, Context context) {
    return new FileEndpointSource(context.service(), settings);
  }
}
