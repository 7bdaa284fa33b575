package io.portico.spi.plugin;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Implemented by a {@link Plugin} that counts an allowance per consumer, so the admin API can show
 * its usage at {@code GET /quotas/{consumer}}. The admin listener finds reporters among the plugin
 * instances of the active snapshot; instances with the same {@link #quotaName()} count the same
 * thing, so it asks one of them.
 *
 * <p>Called on the admin listener's event loop: {@link #usage} must not block.
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
