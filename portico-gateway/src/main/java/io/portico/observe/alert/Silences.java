package io.portico.observe.alert;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.AlertsConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active silences: those of the config (replaced with each config) and those created through
 * the admin API (kept across reloads, and across restarts in {@code file} when there is one). A
 * silence matches an alert whose labels hold every one of its matchers; an alert a silence matches
 * is evaluated as usual but not notified. Thread-safe.
 *
 * <p>The file is a JSON array of the created silences, rewritten whole (a temporary file moved over
 * it) after each creation or deletion, on the admin API's thread; it is read once, at start, and
 * silences that ended meanwhile are left out. A file that cannot be read is logged and ignored
 * (then overwritten by the next write); one that cannot be written is logged, and the silence still
 * applies until restart.
 */
final class Silences {

  private static final Logger log = LoggerFactory.getLogger(Silences.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CopyOnWriteArrayList<Silence> fromConfig = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Silence> created = new CopyOnWriteArrayList<>();
  private final @Nullable Path file;

  /** Silences kept only in memory. */
  Silences() {
    this(null);
  }

  /**
   * @param file where created silences are kept, or null for memory only
   */
  Silences(@Nullable Path file) {
    this.file = file;
    if (file != null) {
      created.addAll(read(file, Instant.now()));
    }
  }

  private static List<Silence> read(Path file, Instant now) {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Silence> out = new ArrayList<>();
    try {
      for (JsonNode n : JSON.readTree(file.toFile())) {
        Map<String, String> matchers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("matchers").properties()) {
          matchers.put(e.getKey(), e.getValue().asText());
        }
        Instant endsAt = n.hasNonNull("ends_at") ? Instant.parse(n.get("ends_at").asText()) : null;
        if (matchers.isEmpty() || (endsAt != null && !endsAt.isAfter(now))) {
          continue;
        }
        out.add(
            new Silence(
                n.path("id").asText(),
                sorted(matchers),
                Instant.parse(n.path("starts_at").asText()),
                endsAt,
                n.path("comment").asText(""),
                n.path("created_by").asText(""),
                false));
      }
      if (!out.isEmpty()) {
        log.info("{} silences read from {}", out.size(), file);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("silences in {} could not be read, starting without them: {}", file, e.toString());
      return List.of();
    }
    return out;
  }

  /** Writes the created silences to the file, when there is one. */
  private synchronized void save() {
    if (file == null) {
      return;
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "silences", ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp);
          JsonGenerator g = JSON.getFactory().createGenerator(out)) {
        g.useDefaultPrettyPrinter();
        g.writeStartArray();
        for (Silence s : created) {
          g.writeStartObject();
          g.writeStringField("id", s.id());
          g.writeObjectFieldStart("matchers");
          for (Map.Entry<String, String> m : s.matchers().entrySet()) {
            g.writeStringField(m.getKey(), m.getValue());
          }
          g.writeEndObject();
          g.writeStringField("starts_at", s.startsAt().toString());
          if (s.endsAt() != null) {
            g.writeStringField("ends_at", s.endsAt().toString());
          }
          g.writeStringField("comment", s.comment());
          g.writeStringField("created_by", s.createdBy());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      log.warn(
          "silences could not be written to {}; they last until restart: {}", file, e.toString());
    }
  }

  void configure(List<AlertsConfig.Silence> silences, Instant now) {
    List<Silence> next = new ArrayList<>();
    for (int i = 0; i < silences.size(); i++) {
      AlertsConfig.Silence s = silences.get(i);
      next.add(
          new Silence(
              "config-" + (i + 1), s.matchers(), now, s.endsAt(), s.comment(), "config", true));
    }
    // Keep the start of a silence the config still has, so a reload does not move it.
    for (int i = 0; i < next.size(); i++) {
      Silence n = next.get(i);
      for (Silence old : fromConfig) {
        if (old.matchers().equals(n.matchers())
            && java.util.Objects.equals(old.endsAt(), n.endsAt())) {
          next.set(
              i,
              new Silence(
                  n.id(),
                  n.matchers(),
                  old.startsAt(),
                  n.endsAt(),
                  n.comment(),
                  n.createdBy(),
                  true));
          break;
        }
      }
    }
    fromConfig.clear();
    fromConfig.addAll(next);
  }

  Silence add(
      Map<String, String> matchers, Instant now, Instant endsAt, String comment, String by) {
    String id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    Silence s = new Silence(id, sorted(matchers), now, endsAt, comment, by, false);
    created.add(s);
    save();
    return s;
  }

  /** What a delete did. */
  enum Removal {
    REMOVED,
    NOT_FOUND,
    FROM_CONFIG
  }

  Removal remove(String id) {
    if (created.removeIf(s -> s.id().equals(id))) {
      save();
      return Removal.REMOVED;
    }
    return fromConfig.stream().anyMatch(s -> s.id().equals(id))
        ? Removal.FROM_CONFIG
        : Removal.NOT_FOUND;
  }

  /** Every silence in force at {@code now}; expired created silences are forgotten. */
  List<Silence> active(Instant now) {
    created.removeIf(s -> s.endsAt() != null && !s.endsAt().isAfter(now));
    List<Silence> out = new ArrayList<>();
    for (Silence s : fromConfig) {
      if (s.endsAt() == null || s.endsAt().isAfter(now)) {
        out.add(s);
      }
    }
    out.addAll(created);
    return out;
  }

  static List<String> matching(List<Silence> silences, Map<String, String> labels) {
    List<String> ids = new ArrayList<>();
    for (Silence s : silences) {
      if (s.matches(labels)) {
        ids.add(s.id());
      }
    }
    return ids;
  }

  /** The matchers in name order, so the API, the store and the audit log show them alike. */
  private static Map<String, String> sorted(Map<String, String> matchers) {
    return Collections.unmodifiableMap(new TreeMap<>(matchers));
  }
}
