package io.portico.app;

import io.portico.observe.ExchangeObserver;
import io.portico.observe.log.AccessLogPipeline;
import io.portico.observe.metrics.GatewayMetrics;
import org.jspecify.annotations.Nullable;

/**
 * How the composition root chains the observers of finished exchanges at start-up: the metrics
 * first, so that every exchange is counted whatever the others do, then the access log, alerting
 * and the embedder's observer; an absent one costs nothing.
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
    return record -> {
      log.onExchangeComplete(record);
      extra.onExchangeComplete(record);
    };
  }

  static ExchangeObserver both(ExchangeObserver first, ExchangeObserver second) {
    if (second == ExchangeObserver.NONE) {
      return first;
    }
    return record -> {
      first.onExchangeComplete(record);
      second.onExchangeComplete(record);
    };
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
    return record -> {
      counting.onExchangeComplete(record);
      others.onExchangeComplete(record);
    };
  }
}
