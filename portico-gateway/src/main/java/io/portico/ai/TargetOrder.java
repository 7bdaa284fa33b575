package io.portico.ai;

import io.portico.config.TimeoutsConfig;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The fallback of one request: the model's targets in the order this request tries them, which keys
 * of the current target were tried, and why each attempt failed, for the answer when none is left.
 * Confined to the exchange's event loop.
 */
final class TargetOrder {

  /** A target and the slot of the key to call it with. */
  record Pick(AiPlan.Target target, int slot) {}

  private final AiPlan.Model model;
  private final AiPlan.Target[] order;
  private int index;
  private long triedSlots;
  private int timeouts;
  private final List<String> failures = new ArrayList<>();
  private long retryAfterSeconds = -1;

  TargetOrder(AiPlan.Model model) {
    this.model = model;
    this.order = model.order();
  }

  /** The next usable target and key, or null when the list is exhausted. */
  @Nullable Pick next(long now) {
    while (index < order.length) {
      AiPlan.Target t = order[index];
      int slot = t.provider().keys().next(now, triedSlots);
      if (slot >= 0) {
        return new Pick(t, slot);
      }
      if (triedSlots == 0) {
        failures.add(t.provider().name() + ": every key is cooling down");
      }
      index++;
      triedSlots = 0;
    }
    return null;
  }

  /** The current target cannot serve the request at all: the next one. */
  void skip(AiPlan.Target t, String why) {
    failures.add(t.provider().name() + ": " + why);
    index++;
    triedSlots = 0;
  }

  /** An attempt failed: its key is left out ({@code sameTarget}) or the next target follows. */
  void failed(Pick p, String why, boolean sameTarget) {
    failures.add(p.target().provider().name() + ": " + why);
    if (sameTarget) {
      triedSlots |= 1L << Math.min(p.slot(), 63);
    } else {
      index++;
      triedSlots = 0;
    }
  }

  /** An attempt timed out (before {@link #failed} records it). */
  void timedOut() {
    timeouts++;
  }

  /** The timeout of one attempt at {@code t}. */
  TimeoutsConfig timeouts(AiPlan.Target t) {
    List<AiPlan.Target> targets = model.targets();
    for (int i = 0; i < targets.size(); i++) {
      if (targets.get(i) == t) {
        return model.timeouts()[i];
      }
    }
    return model.timeouts()[0];
  }

  /**
   * The answer once every target failed: 504 when each one tried timed out, else 503 with {@link
   * #retryAfterSeconds} set when a target is only cooling down.
   */
  AiError exhausted(long now) {
    String detail = failures.isEmpty() ? "no target" : String.join("; ", failures);
    if (timeouts > 0 && timeouts == failures.size()) {
      return AiError.timeout(model.name(), detail);
    }
    long wait = Long.MAX_VALUE;
    for (AiPlan.Target t : order) {
      wait = Math.min(wait, t.provider().keys().usableIn(now));
    }
    retryAfterSeconds =
        wait > 0 && wait != Long.MAX_VALUE ? (wait + 999_999_999L) / 1_000_000_000L : -1;
    return AiError.allFailed(model.name(), detail);
  }

  /** When a cooling target takes requests again, in seconds, or -1. */
  long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
