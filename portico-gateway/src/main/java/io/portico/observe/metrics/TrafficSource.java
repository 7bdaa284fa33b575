package io.portico.observe.metrics;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * What the gauges sampled at scrape time read from the running gateway: its client connections and
 * upstream pools, loop by loop, and the endpoints of its services. The composition root implements
 * it over the proxy and the active snapshot, so that metrics depend on neither.
 */
public interface TrafficSource {

  /** Receives one event loop's connections and pools. */
  interface LoopSink {
    /**
     * One open client connection.
     *
     * @param listener the index of the listener that accepted it, in config order
     * @param http2 whether it speaks HTTP/2
     * @param inFlight exchanges in progress on it
     */
    void connection(int listener, boolean http2, int inFlight);

    /** One upstream pool of the loop; a target may have several (TLS settings differ). */
    void pool(String target, int idle, int active, int pending);
  }

  /** Receives the services of the active snapshot. */
  interface ServiceSink {
    /**
     * @param endpoints how many endpoints the service has now
     * @param ejected how many of them health checking has taken out (ejected, or failing probes)
     * @param detector the service's outlier detector (an identity, to tell a new one after a
     *     reload), or null when it has none
     * @param ejectionsSoFar the ejections {@code detector} has made since it was created
     */
    void service(
        String name, int endpoints, int ejected, @Nullable Object detector, long ejectionsSoFar);
  }

  /** Reports {@code loop}'s connections and pools; called on {@code loop}. */
  void sample(EventLoop loop, LoopSink sink);

  /** Reports every service of the active snapshot; called on the scraping thread. */
  void services(ServiceSink sink);
}
