package io.portico.portal;

import io.portico.accounts.Outcome;
import io.portico.accounts.Refusal;
import io.portico.portal.PortalData.Application;
import io.portico.portal.PortalData.Document;
import io.portico.portal.PortalData.Plan;
import io.portico.portal.PortalData.Subscription;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules every plan holds to, whether created or changed: one check, so that an edit cannot make
 * a plan that could not have been created.
 */
final class PlanRules {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final int MAX_RATE = 1_000_000;
  private static final int MAX_DESCRIPTION = 1000;

  private PlanRules() {}

  /** The refusal of a plan name that is not lower-case letters, digits and {@code -}; or null. */
  static @Nullable Refusal checkName(String name) {
    return NAME.matcher(name).matches()
        ? null
        : invalid("name: \"" + name + "\" (expected: lower-case letters, digits and -, up to 63)");
  }

  /**
   * Why the plan's values cannot be, or null when they can.
   *
   * @param quotaOn whether {@code portal.quota} names the Redis that counts quotas
   */
  static @Nullable Refusal check(
      String description,
      int requestsPerMinute,
      long quota,
      @Nullable String quotaPeriod,
      @Nullable String quotaWindow,
      boolean quotaOn) {
    if (description.length() > MAX_DESCRIPTION) {
      return invalid("description: " + description.length() + " characters (expected: up to 1000)");
    }
    if (requestsPerMinute < 1 || requestsPerMinute > MAX_RATE) {
      return invalid(
          "requests_per_minute: "
              + requestsPerMinute
              + " (expected: an integer from 1 to 1000000)");
    }
    if (quota < 0 || quota > Portal.MAX_QUOTA) {
      return invalid(
          "quota: " + quota + " (expected: an integer from 0 (none) to " + Portal.MAX_QUOTA + ")");
    }
    if (quota > 0 && !quotaOn) {
      return new Refusal(
          409,
          "portal-quota-off",
          "quota: "
              + quota
              + " (expected: no quota; plans get quotas once portal.quota names the Redis that"
              + " counts them)");
    }
    if (quotaPeriod != null && !List.of("hour", "day", "month").contains(quotaPeriod)) {
      return invalid("quota_period: " + quotaPeriod + " (expected: hour, day or month)");
    }
    if (quotaWindow != null && !List.of("calendar", "rolling").contains(quotaWindow)) {
      return invalid("quota_window: " + quotaWindow + " (expected: calendar or rolling)");
    }
    if (quota == 0 && (quotaPeriod != null || quotaWindow != null)) {
      return invalid(
          "quota_period, quota_window: (expected: only with a quota, an integer from 1)");
    }
    return null;
  }

  /** The plan of checked values, as kept: a period and window only with a quota. */
  static Plan plan(
      String name,
      String description,
      int requestsPerMinute,
      boolean autoApprove,
      long quota,
      @Nullable String quotaPeriod,
      @Nullable String quotaWindow,
      boolean deprecated) {
    return new Plan(
        name,
        description,
        requestsPerMinute,
        autoApprove,
        quota,
        quota > 0 ? quotaPeriod : null,
        quota > 0 && "rolling".equals(quotaWindow) ? "rolling" : null,
        deprecated);
  }

  /**
   * {@code old} with {@code edit} applied, checked by the same rules as a new plan (a new name is
   * checked by the caller, which knows the other plans), or the refusal of the first rule the
   * result breaks. A quota set to 0 drops the period and window the plan had; a period or window
   * given in the same edit is refused, as at creation.
   */
  static Outcome<Plan> edited(Plan old, PlanEdit edit, boolean quotaOn) {
    String description = edit.description() != null ? edit.description() : old.description();
    int rate =
        edit.requestsPerMinute() != null ? edit.requestsPerMinute() : old.requestsPerMinute();
    boolean auto = edit.autoApprove() != null ? edit.autoApprove() : old.autoApprove();
    long quota = edit.quota() != null ? edit.quota() : old.quota();
    String period =
        edit.periodFromConfig()
            ? null
            : edit.quotaPeriod() != null ? edit.quotaPeriod() : old.quotaPeriod();
    String window =
        edit.windowReset()
            ? null
            : edit.quotaWindow() != null ? edit.quotaWindow() : old.quotaWindow();
    if (quota == 0 && edit.quotaPeriod() == null && edit.quotaWindow() == null) {
      // the plan's own period and window go with its quota
      period = null;
      window = null;
    }
    Refusal r = check(description, rate, quota, period, window, quotaOn);
    return r != null
        ? new Outcome.Refused<>(r)
        : Outcome.done(
            plan(
                edit.name() != null ? edit.name() : old.name(),
                description,
                rate,
                auto,
                quota,
                period,
                window,
                edit.deprecated() != null ? edit.deprecated() : old.deprecated()));
  }

  /**
   * The refusal of a new subscription under {@code plan} when it is deprecated: {@code 409
   * portal-plan-deprecated}, naming the plans that still take subscriptions; null when it is not.
   */
  static @Nullable Refusal deprecated(Plan plan, List<Plan> all) {
    if (!plan.deprecated()) {
      return null;
    }
    List<String> open = all.stream().filter(p -> !p.deprecated()).map(Plan::name).toList();
    return new Refusal(
        409,
        "portal-plan-deprecated",
        "The plan "
            + plan.name()
            + " is deprecated: it takes no new subscriptions (those it has keep working). "
            + (open.isEmpty()
                ? "No plan takes new subscriptions now; ask an operator."
                : "Subscribe under "
                    + (open.size() == 1 ? "the plan " : "one of the plans ")
                    + String.join(", ", open)
                    + " instead."));
  }

  /**
   * The refusal of a write whose {@code If-Match} names another version of {@code plan}; null when
   * it names this one, is {@code *} or is absent (as on the admin API's objects, {@code If-Match}
   * is optional).
   */
  static @Nullable Refusal stale(Plan plan, @Nullable String ifMatch) {
    if (ifMatch == null || ifMatch.equals("*") || ifMatch.equals(plan.etag())) {
      return null;
    }
    return new Refusal(
        412,
        "admin-precondition-failed",
        "The plan "
            + plan.name()
            + " has changed: its ETag is \""
            + plan.etag()
            + "\", not \""
            + ifMatch
            + "\".");
  }

  /** The most subscriptions a refusal's detail names one by one. */
  private static final int NAMED = 10;

  /** Why a plan that {@code holding} hold cannot be deleted, naming them, for people. */
  static String inUse(String plan, List<Subscription> holding, Document doc) {
    StringBuilder b = new StringBuilder();
    b.append("The plan ")
        .append(plan)
        .append(holding.size() == 1 ? " holds 1 subscription: " : " holds ")
        .append(holding.size() == 1 ? "" : holding.size() + " subscriptions: ");
    for (int i = 0; i < Math.min(NAMED, holding.size()); i++) {
      Subscription s = holding.get(i);
      String app =
          doc.applications().stream()
              .filter(a -> a.id().equals(s.application()))
              .map(Application::name)
              .findFirst()
              .orElse(s.application());
      b.append(i == 0 ? "" : ", ")
          .append(s.id())
          .append(" (application \"")
          .append(app)
          .append("\", API ")
          .append(s.api())
          .append(", ")
          .append(s.state().text())
          .append(')');
    }
    if (holding.size() > NAMED) {
      b.append(" and ").append(holding.size() - NAMED).append(" more");
    }
    return b.append(". Delete it with ?move-to=<plan> to move them to another plan, or reject or")
        .append(" revoke them first.")
        .toString();
  }

  /** The audit log's action of a deletion that moved {@code moved} (none: nothing moved). */
  static String deleteAction(String plan, List<Subscription> moved) {
    if (moved.isEmpty()) {
      return "delete plan " + plan;
    }
    return "delete plan "
        + plan
        + " (moved "
        + moved.size()
        + (moved.size() == 1 ? " subscription to " : " subscriptions to ")
        + moved.get(0).plan()
        + ": "
        + String.join(", ", moved.stream().map(Subscription::id).toList())
        + ")";
  }

  private static Refusal invalid(String detail) {
    return new Refusal(400, "portal-invalid", detail);
  }
}
