package io.portico.observe.trace;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import org.jspecify.annotations.Nullable;

/**
 * The span of one upstream attempt: from the endpoint's pick to the end of the response (or the
 * attempt's failure). Its context is what the upstream request carries. Confined to the event loop
 * of the exchange.
 */
public final class ClientSpan {

  private final Tracing tracing;
  private final Span span;

  ClientSpan(Tracing tracing, Span span) {
    this.tracing = tracing;
    this.span = span;
  }

  /** Writes this span's context into the upstream request's headers, in every configured format. */
  public void inject(HttpHeaders headers) {
    tracing.propagator().inject(Context.root().with(span), headers, HeaderAccess.INSTANCE);
  }

  /**
   * Ends the attempt.
   *
   * @param failure the failure code of the attempt, or null when a response arrived in full
   * @param status the upstream's status, or 0 when no response head arrived
   */
  public void end(@Nullable String failure, int status) {
    if (span.isRecording()) {
      if (status > 0) {
        span.setAttribute(Tracing.STATUS, (long) status);
      }
      if (failure != null) {
        span.setAttribute(Tracing.ERROR_TYPE, failure);
        span.setStatus(StatusCode.ERROR);
      } else if (status >= 400) {
        span.setAttribute(Tracing.ERROR_TYPE, Integer.toString(status));
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }
}
