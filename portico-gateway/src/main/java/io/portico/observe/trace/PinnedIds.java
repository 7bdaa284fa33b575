package io.portico.observe.trace;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * The SDK's ids, random as its own generator makes them, except a new trace's id when {@link
 * Tracing#begin} already drew it: {@link Tracing#begin} decides whether a new trace is sampled
 * before it asks the SDK for a span (so an unsampled request costs no SDK objects), and the SDK's
 * ratio sampler must then see the same trace id, and so take the same decision.
 *
 * <p>The pinned id is held per thread: {@link #pin} and the SDK's {@link #generateTraceId} run on
 * the same event loop, within one {@code startSpan}.
 */
final class PinnedIds implements IdGenerator {

  private final ThreadLocal<String> pinned = new ThreadLocal<>();

  /** The trace id the next new trace started on this thread gets. */
  void pin(String traceId) {
    pinned.set(traceId);
  }

  /** Forgets a pinned id the SDK did not take. */
  void unpin() {
    pinned.remove();
  }

  @Override
  public String generateSpanId() {
    return IdGenerator.random().generateSpanId();
  }

  @Override
  public String generateTraceId() {
    String id = pinned.get();
    if (id != null) {
      pinned.remove();
      return id;
    }
    return IdGenerator.random().generateTraceId();
  }
}
