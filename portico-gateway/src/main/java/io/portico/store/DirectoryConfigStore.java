package io.portico.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ConfigStore} in a local directory:
 *
 * <pre>
 *   DIR/versions/00000042.json   one file per version kept (the whole object layer, its metadata)
 *   DIR/audit.jsonl              one JSON line per admin write, appended
 *   DIR/NAME.json                a document kept beside the config (the console's accounts)
 * </pre>
 *
 * A version is written to a temporary file, forced to disk, then renamed into place (atomic on
 * POSIX file systems) and the directory forced, so a crash leaves either the old newest version or
 * the new one, never a torn file. Only the newest {@code history} versions are kept. The directory
 * is created by the first write; an absent one is an empty store.
 *
 * <p>Everything is read once when opened and kept in memory; methods are synchronized.
 */
public final class DirectoryConfigStore implements ConfigStore {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int AUDIT_KEPT = 1000;

  private final Path dir;
  private final Path versionsDir;
  private final Path auditFile;
  private final int history;
  private final TreeMap<Long, ConfigVersion> versions = new TreeMap<>();
  private final Deque<AuditEntry> audit = new ArrayDeque<>();

  private DirectoryConfigStore(Path dir, int history) {
    this.dir = dir;
    this.versionsDir = dir.resolve("versions");
    this.auditFile = dir.resolve("audit.jsonl");
    this.history = history;
  }

  /**
   * Opens the store in {@code dir}, reading what it holds.
   *
   * @param history how many versions to keep, at least 1
   * @throws IOException when a file in it cannot be read or is not a version this store wrote
   */
  public static DirectoryConfigStore open(Path dir, int history) throws IOException {
    DirectoryConfigStore store = new DirectoryConfigStore(dir, Math.max(1, history));
    store.read();
    return store;
  }

  public Path directory() {
    return dir;
  }

  private void read() throws IOException {
    if (Files.isDirectory(versionsDir)) {
      try (Stream<Path> files = Files.list(versionsDir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
          try {
            ConfigVersion v = fromJson(MAPPER.readTree(f.toFile()));
            versions.put(v.number(), v);
          } catch (IOException | RuntimeException e) {
            throw new IOException(f + ": not a stored config version (" + e.getMessage() + ")", e);
          }
        }
      }
    }
    if (Files.isRegularFile(auditFile)) {
      for (String line : Files.readAllLines(auditFile, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          remember(auditFromJson(MAPPER.readTree(line)));
        } catch (IOException | RuntimeException e) {
          // A line torn by a crash while appending: the entries around it still count.
        }
      }
    }
  }

  @Override
  public synchronized Optional<ConfigVersion> latest() {
    Map.Entry<Long, ConfigVersion> last = versions.lastEntry();
    return last == null ? Optional.empty() : Optional.of(last.getValue());
  }

  @Override
  public synchronized List<ConfigVersion> versions() {
    return List.copyOf(versions.descendingMap().values());
  }

  @Override
  public synchronized Optional<ConfigVersion> version(long number) {
    return Optional.ofNullable(versions.get(number));
  }

  @Override
  public synchronized void commit(ConfigVersion version) throws IOException {
    long expected = versions.isEmpty() ? 1 : versions.lastKey() + 1;
    if (version.number() != expected) {
      throw new IllegalStateException(
          "version " + version.number() + " is not the next one (expected: " + expected + ")");
    }
    Files.createDirectories(versionsDir);
    byte[] bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(version));
    replace(versionsDir, versionsDir.resolve(String.format("%08d.json", version.number())), bytes);
    versions.put(version.number(), version);
    while (versions.size() > history) {
      long oldest = versions.firstKey();
      versions.remove(oldest);
      Files.deleteIfExists(versionsDir.resolve(String.format("%08d.json", oldest)));
    }
  }

  @Override
  public synchronized Optional<byte[]> document(String name) throws IOException {
    Path file = documentFile(name);
    return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
  }

  @Override
  public synchronized void putDocument(String name, byte[] content) throws IOException {
    Files.createDirectories(dir);
    replace(dir, documentFile(name), content);
  }

  private Path documentFile(String name) {
    if (!name.matches("[a-z][a-z0-9-]{0,63}")) {
      throw new IllegalArgumentException(
          "document name: " + name + " (expected: lower-case letters, digits and -)");
    }
    return dir.resolve(name + ".json");
  }

  /**
   * Makes {@code target} in {@code directory} hold {@code bytes}, whole or not at all: written to a
   * temporary file beside it and forced to disk, renamed over it (atomically where the file system
   * can), then the directory's entry forced too.
   */
  private static void replace(Path directory, Path target, byte[] bytes) throws IOException {
    Path temp = directory.resolve(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(directory);
  }

  /** Forces a directory's entries to disk where the platform allows opening a directory. */
  private static void forceDirectory(Path directory) {
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every platform can open a directory; the rename itself is still atomic.
    }
  }

  @Override
  public synchronized void audit(AuditEntry entry) throws IOException {
    Files.createDirectories(dir);
    byte[] line =
        (MAPPER.writeValueAsString(entry.writeTo(MAPPER.createObjectNode())) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch =
        FileChannel.open(
            auditFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(false);
    }
    remember(entry);
  }

  private void remember(AuditEntry entry) {
    audit.addFirst(entry);
    while (audit.size() > AUDIT_KEPT) {
      audit.removeLast();
    }
  }

  @Override
  public synchronized List<AuditEntry> audit(int max) {
    List<AuditEntry> out = new ArrayList<>();
    Iterator<AuditEntry> it = audit.iterator();
    while (it.hasNext() && out.size() < max) {
      out.add(it.next());
    }
    return out;
  }

  @Override
  public void close() {}

  // ---- JSON forms

  private static ObjectNode toJson(ConfigVersion v) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("number", v.number());
    o.put("time", v.time().toString());
    o.put("actor", v.actor());
    o.put("action", v.action());
    o.put("config_version", v.configVersion());
    ArrayNode changed = o.putArray("changed");
    v.changed().forEach(k -> changed.add(k.toString()));
    ArrayNode objects = o.putArray("objects");
    v.layer()
        .objects()
        .forEach((k, json) -> objects.addObject().put("object", k.toString()).put("json", json));
    ArrayNode deleted = o.putArray("deleted");
    v.layer().deleted().forEach(k -> deleted.add(k.toString()));
    ObjectNode etags = o.putObject("etags");
    v.etags().forEach((k, e) -> etags.put(k.toString(), e));
    return o;
  }

  private static ConfigVersion fromJson(JsonNode o) {
    List<ObjectKey> changed = new ArrayList<>();
    o.path("changed").forEach(k -> changed.add(key(k.asText())));
    Map<ObjectKey, String> objects = new LinkedHashMap<>();
    o.path("objects").forEach(e -> objects.put(key(e.path("object").asText()), text(e, "json")));
    Set<ObjectKey> deleted = new TreeSet<>();
    o.path("deleted").forEach(k -> deleted.add(key(k.asText())));
    Map<ObjectKey, String> etags = new TreeMap<>();
    o.path("etags").properties().forEach(e -> etags.put(key(e.getKey()), e.getValue().asText()));
    return new ConfigVersion(
        o.path("number").asLong(),
        Instant.parse(text(o, "time")),
        text(o, "actor"),
        text(o, "action"),
        changed,
        new ObjectLayer(objects, deleted),
        text(o, "config_version"),
        etags);
  }

  private static AuditEntry auditFromJson(JsonNode o) {
    JsonNode version = o.get("version");
    return new AuditEntry(
        Instant.parse(text(o, "time")),
        text(o, "actor"),
        text(o, "action"),
        text(o, "outcome"),
        version == null || !version.canConvertToLong() ? null : version.asLong(),
        o.path("detail").asText(""));
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v.asText();
  }

  /** {@code routes/users} to its key. */
  static ObjectKey key(String text) {
    int slash = text.indexOf('/');
    @Nullable ObjectKind kind = slash < 0 ? null : ObjectKind.ofSection(text.substring(0, slash));
    if (kind == null || slash == text.length() - 1) {
      throw new IllegalArgumentException("not an object key: " + text);
    }
    return new ObjectKey(kind, text.substring(slash + 1));
  }
}
