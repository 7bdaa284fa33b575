package io.portico.observe.alert;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A silence.
 *
 * @param endsAt null for as long as the config has it
 * @param fromConfig whether it is the config's (it cannot be deleted through the admin API)
 */
public record Silence(
    String id,
    Map<String, String> matchers,
    Instant startsAt,
    @Nullable Instant endsAt,
    String comment,
    String createdBy,
    boolean fromConfig) {

  boolean matches(Map<String, String> labels) {
    for (Map.Entry<String, String> m : matchers.entrySet()) {
      if (!m.getValue().equals(labels.get(m.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
