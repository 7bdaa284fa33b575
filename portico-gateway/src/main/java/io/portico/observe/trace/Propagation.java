package io.portico.observe.trace;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import java.util.ArrayList;
import java.util.List;

/**
 * The propagators {@code tracing.propagators} names, as one composite: {@code tracecontext} (W3C
 * {@code traceparent} and {@code tracestate}), {@code b3} (the single {@code b3} header) and {@code
 * b3multi} ({@code X-B3-TraceId}, {@code X-B3-SpanId}, {@code X-B3-Sampled}). Extraction tries each
 * in the listed order, a later one that finds its headers taking precedence; injection writes every
 * listed format.
 */
final class Propagation {

  private Propagation() {}

  static TextMapPropagator of(List<String> names) {
    List<TextMapPropagator> list = new ArrayList<>(names.size());
    for (String name : names) {
      list.add(
          switch (name) {
            case "tracecontext" -> W3CTraceContextPropagator.getInstance();
            case "b3" -> B3Propagator.injectingSingleHeader();
            case "b3multi" -> B3Propagator.injectingMultiHeaders();
            default -> throw new IllegalArgumentException("propagator: " + name);
          });
    }
    return list.isEmpty() ? TextMapPropagator.noop() : TextMapPropagator.composite(list);
  }
}
