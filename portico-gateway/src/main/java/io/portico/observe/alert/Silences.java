package io.portico.observe.alert;

import io.portico.config.AlertsConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The active silences: those of the config (replaced with each config) and those created through
 * the admin API (kept across reloads, lost on restart). A silence matches an alert whose labels
 * hold every one of its matchers; an alert a silence matches is evaluated as usual but not
 * notified. Thread-safe.
 */
final class Silences {

  private final CopyOnWriteArrayList<Silence> fromConfig = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Silence> created = new CopyOnWriteArrayList<>();

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
    Silence s = new Silence(id, Map.copyOf(matchers), now, endsAt, comment, by, false);
    created.add(s);
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
}
