package io.portico.observe.alert;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /alerts} shows: every rule's alert, the silences in force, and each notifier's
 * counts.
 */
public record AlertStatus(
    @Nullable Instant evaluatedAt,
    List<Rule> rules,
    List<Silence> silences,
    List<NotifierCounts> notifiers) {

  /**
   * One rule's alert.
   *
   * @param state {@code inactive}, {@code pending}, {@code firing} or {@code resolved}
   * @param value the last measurement; NaN when there was none (no traffic in the window)
   * @param since when the alert entered its state
   * @param startsAt when it started firing (while firing or resolved), else null
   * @param lastNotified when it was last handed to its notifiers, or null
   * @param silencedBy the silences that match it now
   */
  public record Rule(
      String name,
      String kind,
      String state,
      double value,
      double threshold,
      double resolveThreshold,
      Map<String, String> labels,
      Instant since,
      @Nullable Instant startsAt,
      @Nullable Instant lastNotified,
      List<String> notifiers,
      List<String> silencedBy) {}

  /** A notifier's counts since start. */
  public record NotifierCounts(
      String name, String type, long sent, long failed, long dropped, long retried) {}
}
