package io.portico.portal;

import io.portico.portal.PortalData.Plan;
import org.jspecify.annotations.Nullable;

/**
 * A change to a plan ({@code PATCH /portal/api/plans/{name}}): each field null when the change
 * leaves it as it is.
 *
 * @param name the plan's new name: its subscriptions and the consumers' groups follow it in the
 *     same admin write ({@link Portal#updatePlan})
 * @param quota the new quota, 0 for none (which also drops the plan's period and window)
 * @param quotaPeriod {@code hour}, {@code day} or {@code month}
 * @param periodFromConfig whether the plan's quota goes back to {@code portal.quota.period} (the
 *     request's {@code "quota_period": null}); {@code quotaPeriod} is null then
 * @param quotaWindow {@code calendar} or {@code rolling}
 * @param windowReset whether the plan's quota goes back to the calendar's window (the request's
 *     {@code "quota_window": null}); {@code quotaWindow} is null then
 * @param deprecated whether the plan refuses new subscriptions ({@code true}) or takes them again
 */
public record PlanEdit(
    @Nullable String name,
    @Nullable String description,
    @Nullable Integer requestsPerMinute,
    @Nullable Boolean autoApprove,
    @Nullable Long quota,
    @Nullable String quotaPeriod,
    boolean periodFromConfig,
    @Nullable String quotaWindow,
    boolean windowReset,
    @Nullable Boolean deprecated) {

  /** Whether the change names no field at all. */
  public boolean empty() {
    return name == null
        && description == null
        && requestsPerMinute == null
        && autoApprove == null
        && quota == null
        && quotaPeriod == null
        && !periodFromConfig
        && quotaWindow == null
        && !windowReset
        && deprecated == null;
  }

  /**
   * The fields of {@code old} this change replaces, each as {@code field: old → new}, for the audit
   * log; empty when it changes nothing.
   */
  static String differences(Plan old, Plan changed, String defaultPeriod) {
    StringBuilder b = new StringBuilder();
    difference(b, "name", old.name(), changed.name());
    difference(b, "description", old.description(), changed.description());
    difference(b, "requests_per_minute", old.requestsPerMinute(), changed.requestsPerMinute());
    difference(b, "auto_approve", old.autoApprove(), changed.autoApprove());
    difference(b, "quota", old.quota(), changed.quota());
    difference(
        b,
        "quota_period",
        old.quota() > 0 ? old.period(defaultPeriod) : null,
        changed.quota() > 0 ? changed.period(defaultPeriod) : null);
    difference(
        b,
        "quota_window",
        old.quota() > 0 ? (old.rolling() ? "rolling" : "calendar") : null,
        changed.quota() > 0 ? (changed.rolling() ? "rolling" : "calendar") : null);
    difference(b, "deprecated", old.deprecated(), changed.deprecated());
    return b.toString();
  }

  private static void difference(
      StringBuilder b, String field, @Nullable Object from, @Nullable Object to) {
    if (java.util.Objects.equals(from, to)) {
      return;
    }
    if (b.length() > 0) {
      b.append(", ");
    }
    b.append(field).append(": ").append(text(from)).append(" → ").append(text(to));
  }

  private static String text(@Nullable Object value) {
    return value == null ? "none" : value instanceof String s ? '"' + s + '"' : value.toString();
  }
}
