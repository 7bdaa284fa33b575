package io.portico.observe.alert;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One notification of an alert: it fired (again, after the repeat interval), or it resolved.
 *
 * @param value the measurement when the notification was made; NaN when there was none
 * @param endsAt when the alert resolved; null while it fires
 * @param fingerprint a stable identity of the alert (its labels hashed), the same in every
 *     notification of it, for receivers that de-duplicate
 */
public record Notification(
    boolean firing,
    String rule,
    String kind,
    Map<String, String> labels,
    double value,
    double threshold,
    String summary,
    @Nullable Instant startsAt,
    @Nullable Instant endsAt,
    String fingerprint) {

  public String status() {
    return firing ? "firing" : "resolved";
  }
}
