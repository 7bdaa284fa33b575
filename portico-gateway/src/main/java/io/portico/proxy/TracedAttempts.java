package io.portico.proxy;

import io.netty.handler.codec.http.HttpRequest;
import io.portico.observe.trace.ClientSpan;
import io.portico.observe.trace.RequestTrace;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamHooks;
import org.jspecify.annotations.Nullable;

/**
 * The upstream hooks of one traced call: a client span per attempt, its context injected into the
 * request head, ended with the attempt's outcome; then the gateway's shared hooks. Made per call
 * (one per exchange, one per backend of an aggregate) only when tracing is on, since the attempts
 * of one call are sequential and those of parallel calls are not.
 */
final class TracedAttempts implements UpstreamHooks {

  private final RequestTrace trace;
  private final UpstreamHooks next;
  private final String method;
  private @Nullable ClientSpan current;

  TracedAttempts(RequestTrace trace, UpstreamHooks next, String method) {
    this.trace = trace;
    this.next = next;
    this.method = method;
  }

  @Override
  public void onAttemptStart(String service, Endpoint endpoint, int attempt) {
    next.onAttemptStart(service, endpoint, attempt);
    current = trace.attempt(method, service, endpoint.address(), attempt);
  }

  @Override
  public void beforeRequestHead(HttpRequest head, Endpoint endpoint) {
    next.beforeRequestHead(head, endpoint);
    if (current != null) {
      current.inject(head.headers());
    }
  }

  @Override
  public void onAttemptEnd(
      String service, Endpoint endpoint, @Nullable CallFailure failure, int status, long nanos) {
    next.onAttemptEnd(service, endpoint, failure, status, nanos);
    if (current != null) {
      current.end(
          failure == null
              ? null
              : failure == CallFailure.CANCELLED
                  ? "cancelled"
                  : UpstreamFailures.failure(failure).code(),
          status);
      current = null;
    }
  }
}
