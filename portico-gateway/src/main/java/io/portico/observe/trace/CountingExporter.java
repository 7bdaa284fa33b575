package io.portico.observe.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the exporter delivered and what it failed to deliver, and says so in the log once
 * when exports start failing and once when they recover, rather than once per batch. Runs on the
 * batch processor's thread and the exporter's callbacks, never on an event loop.
 */
final class CountingExporter implements SpanExporter {

  private static final Logger log = LoggerFactory.getLogger(CountingExporter.class);

  private final SpanExporter delegate;
  private final String endpoint;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean failing = new AtomicBoolean();

  CountingExporter(SpanExporter delegate, String endpoint) {
    this.delegate = delegate;
    this.endpoint = endpoint;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    int n = spans.size();
    CompletableResultCode result = delegate.export(spans);
    result.whenComplete(
        () -> {
          if (result.isSuccess()) {
            exported.addAndGet(n);
            if (failing.compareAndSet(true, false)) {
              log.info("trace export to {} recovered", endpoint);
            }
          } else {
            failed.addAndGet(n);
            if (failing.compareAndSet(false, true)) {
              Throwable cause = result.getFailureThrowable();
              log.warn(
                  "trace export to {} failed ({}); spans are dropped until the collector answers",
                  endpoint,
                  cause == null
                      ? "refused, timed out or answered with an error"
                      : cause.toString());
            }
          }
        });
    return result;
  }

  long exported() {
    return exported.get();
  }

  long failed() {
    return failed.get();
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
