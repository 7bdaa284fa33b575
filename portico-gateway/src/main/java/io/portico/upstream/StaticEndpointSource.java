package io.portico.upstream;

import java.util.List;

/** The endpoints written in the config, resolved once when the snapshot is compiled. */
public final class StaticEndpointSource implements EndpointSource {

  private final List<Endpoint> endpoints;

  public StaticEndpointSource(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }
}
