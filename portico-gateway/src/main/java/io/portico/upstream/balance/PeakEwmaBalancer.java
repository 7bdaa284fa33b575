package io.portico.upstream.balance;

import io.portico.upstream.Endpoint;

/**
 * Latency-aware: the power of two choices on peak-EWMA latency times (requests in flight + 1), as
 * Finagle and Linkerd do. A latency spike counts at once and decays over about ten seconds; a
 * failed attempt counts as a one-second latency. An endpoint never measured costs nothing, so new
 * endpoints are tried (with {@code slow-start} to ease them in).
 *
 * <p>Latencies come from {@link io.portico.upstream.EndpointFeedback}: from the pick to the
 * response head or the failure.
 */
public final class PeakEwmaBalancer extends LeastRequestBalancer {

  @Override
  double cost(Endpoint e) {
    EndpointLoad.State s = load.state(e);
    return s.ewmaNanos() * (s.inFlight.get() + 1) / Math.max(1, e.weight());
  }
}
