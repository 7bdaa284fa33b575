package io.portico.upstream.discovery.file;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portico.upstream.discovery.Instances;
import io.portico.upstream.discovery.RegistrySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints listed in a YAML or JSON file:
 *
 * <pre>{@code
 * endpoints:
 *   - { host: 10.0.1.10, port: 8080 }
 *   - { host: users-2.internal, port: 8080, weight: 3 }
 * }</pre>
 *
 * <p>Every {@code interval} the file's size, modification time and identity (so a file replaced by
 * a rename counts as changed) are compared with those of the last read; the file is read again when
 * they differ. A file that is missing or does not parse keeps the last endpoints ({@code STALE}); a
 * file that parses is taken whole, or not at all when one entry is wrong.
 */
final class FileEndpointSource extends RegistrySource {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final FileSettings settings;
  private @Nullable Signature lastRead;

  private record Signature(long size, long modified, @Nullable Object key) {}

  FileEndpointSource(String service, FileSettings settings) {
    super(
        "file " + settings.path() + " (" + service + ")", settings.allowEmpty(), settings.limits());
    this.settings = settings;
  }

  @Override
  protected void watch() {
    check();
  }

  private void check() {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(settings.path(), BasicFileAttributes.class);
      Signature now =
          new Signature(
              attributes.size(), attributes.lastModifiedTime().toMillis(), attributes.fileKey());
      if (!Objects.equals(now, lastRead)) {
        lastRead = now;
        read();
      }
    } catch (NoSuchFileException e) {
      lastRead = null;
      unreachable("no such file " + settings.path());
    } catch (IOException e) {
      lastRead = null;
      unreachable("cannot read " + settings.path() + ": " + e);
    }
    schedule(this::check, settings.interval());
  }

  private void read() throws IOException {
    JsonNode root;
    try {
      root = YAML.readTree(settings.path().toFile());
    } catch (JacksonException e) {
      garbage(settings.path() + ": " + e.getOriginalMessage());
      return;
    }
    if (root == null || !root.isObject() || !root.has("endpoints")) {
      garbage(settings.path() + ": expected an object with a list of endpoints");
      return;
    }
    try {
      answer(Instances.readAll(root.get("endpoints"), "endpoints"));
    } catch (Instances.UnreadableInstance e) {
      garbage(settings.path() + ": " + e.getMessage());
    }
  }
}
