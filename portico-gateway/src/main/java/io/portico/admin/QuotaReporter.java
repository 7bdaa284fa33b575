package io.portico.admin;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A plugin instance whose quota usage the admin API shows at {@code GET /quotas/{consumer}}. The
 * admin finds reporters among the plugins of the active snapshot; instances with the same {@link
 * #quotaName()} count the same thing, so the admin asks one of them.
 */
public interface QuotaReporter {

  /** The quota's name, unique per counted thing. */
  String quotaName();

  /**
   * The consumer's usage in the current period. Never blocks; the stage may complete on any thread
   * and fails when the store cannot be read.
   */
  CompletionStage<Usage> usage(String consumer);

  /**
   * A quota's state for one consumer.
   *
   * @param subject what is counted: the consumer, or the consumer's group for group quotas
   * @param period {@code day} or {@code month}
   * @param window the current period, e.g. {@code 2026-11-26} or {@code 2026-11}
   * @param resets when the next period starts
   */
  record Usage(
      String quota,
      String subject,
      String period,
      String window,
      long limit,
      long used,
      Instant resets) {}
}
