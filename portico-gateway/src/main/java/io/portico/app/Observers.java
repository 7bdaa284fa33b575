package io.portico.app;

import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.observe.log.AccessLogPipeline;
import io.portico.observe.metrics.GatewayMetrics;
import org.jspecify.annotations.Nullable;

/**
 * How the composition root chains the observers of finished exchanges at start-up: the metrics
 * first, so that every exchange is counted whatever the others do, then the access log, alerting
 * and the embedder's observer; an absent one costs nothing, and a chain wants a record while any of
 * its observers does ({@link ExchangeObserver#wantsRecords}).
 */
final class Observers {

  private Observers() {}

  static ExchangeObserver combine(@Nullable AccessLogPipeline log, ExchangeObserver extra) {
    if (log == null) {
      return extra;
    }
    return both(log, extra);
  }

  static ExchangeObserver both(ExchangeObserver first, ExchangeObserver second) {
    if (second == ExchangeObserver.NONE) {
      return first;
    }
    if (first == ExchangeObserver.NONE) {
      return second;
    }
    return new Both(first, second);
  }

  /** Puts the metrics first, so that every exchange is counted whatever the others do. */
  static ExchangeObserver withMetrics(@Nullable GatewayMetrics metrics, ExchangeObserver others) {
    if (metrics == null) {
      return others;
    }
    return both(metrics.observer(), others);
  }

  /** Two observers in order; each is told only while it wants records. */
  private record Both(ExchangeObserver first, ExchangeObserver second) implements ExchangeObserver {

    @Override
    public void onExchangeComplete(ExchangeRecord record) {
      if (first.wantsRecords()) {
        first.onExchangeComplete(record);
      }
      if (second.wantsRecords()) {
        second.onExchangeComplete(record);
      }
    }

    @Override
    public boolean wantsRecords() {
      return first.wantsRecords() || second.wantsRecords();
    }

    @Override
    public boolean readsRequestId() {
      return (first.wantsRecords() && first.readsRequestId())
          || (second.wantsRecords() && second.readsRequestId());
    }

    @Override
    public boolean keepsRecords() {
      return (first.wantsRecords() && first.keepsRecords())
          || (second.wantsRecords() && second.keepsRecords());
    }

    @Override
    public boolean readsRequestHeaders() {
      return (first.wantsRecords() && first.readsRequestHeaders())
          || (second.wantsRecords() && second.readsRequestHeaders());
    }
  }
}
