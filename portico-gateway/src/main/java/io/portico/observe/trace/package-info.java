/**
 * Distributed tracing with the OpenTelemetry SDK: a server span per exchange, a client span per
 * upstream attempt, optional spans per plugin, context extracted from clients and injected
 * upstream, and OTLP/HTTP export off the event loops.
 *
 * <p>{@link io.portico.observe.trace.Tracing} is made once at start-up when {@code tracing.enabled}
 * is set; without it nothing of this package is touched on the data path. Spans are started and
 * ended on the exchange's event loop with explicit parents (never the thread's current context);
 * finished spans go to a bounded queue that one exporter thread drains, so a slow or absent
 * collector drops spans (counted) and never delays a request.
 */
@NullMarked
package io.portico.observe.trace;

import org.jspecify.annotations.NullMarked;
