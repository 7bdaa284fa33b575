package io.portico.observe.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads the batch span processor's own counter of spans it dropped because its queue was full
 * ({@code processedSpans} with {@code dropped=true}), on demand: a metric reader that only collects
 * when asked, never on a schedule.
 */
final class QueueDrops implements MetricReader {

  private static final String PROCESSED = "processedSpans";
  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  /** Spans dropped so far because the export queue was full. */
  long dropped() {
    long total = 0;
    for (MetricData m : registration.collectAllMetrics()) {
      if (!m.getName().equals(PROCESSED)) {
        continue;
      }
      for (LongPointData p : m.getLongSumData().getPoints()) {
        if (Boolean.TRUE.equals(p.getAttributes().get(DROPPED))) {
          total += p.getValue();
        }
      }
    }
    return total;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
