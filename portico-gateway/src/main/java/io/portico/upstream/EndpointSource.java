package io.portico.upstream;

import java.util.List;

/**
 * Where a service's endpoints come from. The proxy reads {@link #endpoints()} on every pick, so a
 * source may change its list at any time (service discovery, health checking) by publishing a new
 * immutable list; implementations must make that read cheap and thread-safe (a volatile field).
 */
public interface EndpointSource {

  /** The endpoints requests may go to now; empty when none is available. */
  List<Endpoint> endpoints();
}
