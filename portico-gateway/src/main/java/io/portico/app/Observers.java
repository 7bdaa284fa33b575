package io.portico.app;

import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.observe.log.AccessLogPipeline;
import io.portico.observe.metrics.GatewayMetrics;
import org.jspecify.annotations.Nullable;

/**
 * How the composition root chains the observers of finished exchanges at start-up: the metrics
 * first, so that every exchange is counted whatever the others do, then the access log, alerting
 * and the embedder's observer; an absent one costs nothing. A chain observes while any of its parts
 * does ({@link ExchangeObserver#observing}), and tells each part only while that part observes.
 */
final class Observers {

  private Observers() {}

  static ExchangeObserver combine(@Nullable AccessLogPipeline log, ExchangeObserver extra) {
    if (log == null) {
      return extra;
    }
    if (extra == ExchangeObserver.NONE) {
      return log;
    }
    return new Both(log, extra);
  }

  static ExchangeObserver both(ExchangeObserver first, ExchangeObserver second) {
    if (second == ExchangeObserver.NONE) {
      return first;
    }
    return new Both(first, second);
  }

  /** Puts the metrics first, so that every exchange is counted whatever the others do. */
  static ExchangeObserver withMetrics(@Nullable GatewayMetrics metrics, ExchangeObserver others) {
    if (metrics == null) {
      return others;
    }
    ExchangeObserver counting = metrics.observer();
    if (others == ExchangeObserver.NONE) {
      return counting;
    }
    return new Both(counting, others);
  }

  /** Two observers, the first told first. */
  private record Both(ExchangeObserver first, ExchangeObserver second) implements ExchangeObserver {

    @Override
    public boolean observing() {
      return first.observing() || second.observing();
    }

    @Override
    public void onExchangeComplete(ExchangeRecord record) {
      if (first.observing()) {
        first.onExchangeComplete(record);
      }
      if (second.observing()) {
        second.onExchangeComplete(record);
      }
    }
  }
}
