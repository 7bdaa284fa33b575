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

  private final @Nullable Tracing tracing;
  private final @Nullable Span span;

  /** For an unrecorded attempt: the request's server context, not sampled, and nothing to end. */
  private final @Nullable RequestTrace unrecordedOf;

  ClientSpan(Tracing tracing, Span span) {
    this.tracing = tracing;
    this.span = span;
    this.unrecordedOf = null;
  }

  /** The attempts of an unsampled request: they carry its server context and record nothing. */
  ClientSpan(RequestTrace unrecordedOf) {
    this.tracing = null;
    this.span = null;
    this.unrecordedOf = unrecordedOf;
  }

  /** Writes this span's context into the upstream request's headers, in every configured format. */
  public void inject(HttpHeaders headers) {
    if (unrecordedOf != null) {
      unrecordedOf.injectUnrecorded(headers);
    } else if (tracing != null && span != null) {
      tracing.propagator().inject(Context.root().with(span), headers, HeaderAccess.INSTANCE);
    }
  }

  /**
   * Ends the attempt.
   *
   * @param failure the failure code of the attempt, or null when a response arrived in full
   * @param status the upstream's status, or 0 when no response head arrived
   */
  public void end(@Nullable String failure, int status) {
    Span span = this.span;
    if (span == null) {
      // an unrecorded attempt: the server span's end is the exchange's
      return;
    }
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
