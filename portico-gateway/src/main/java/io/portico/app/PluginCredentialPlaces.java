package io.portico.app;

import io.portico.config.GatewayConfig;
import io.portico.config.PluginSpec;
import io.portico.config.RouteConfig;
import io.portico.config.ServiceConfig;
import io.portico.spi.plugin.CredentialPlaces;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The headers and query parameters where the plugins of a config read credentials, gathered from
 * every factory that implements {@link CredentialPlaces} over the global, service and route
 * plugins. {@link Gateway} hands them to the access log and the live tail at each activation, so a
 * key read from {@code ?k=} or {@code X-Gateway-Key} is redacted there like {@code Authorization}.
 *
 * @param headers header names, as the plugins spell them
 * @param query query parameter names
 */
record PluginCredentialPlaces(Set<String> headers, Set<String> query) {

  static PluginCredentialPlaces of(GatewayConfig config) {
    List<PluginSpec> specs = new ArrayList<>(config.plugins());
    for (ServiceConfig s : config.services()) {
      specs.addAll(s.plugins());
    }
    for (RouteConfig r : config.routes()) {
      specs.addAll(r.plugins());
    }
    Set<String> headers = new HashSet<>();
    Set<String> query = new HashSet<>();
    for (PluginSpec spec : specs) {
      if (spec.factory() instanceof CredentialPlaces<?> places) {
        add(places, spec.config(), headers, query);
      }
    }
    return new PluginCredentialPlaces(Set.copyOf(headers), Set.copyOf(query));
  }

  /** The factory's {@code parse} made {@code config}, so it has the factory's type. */
  @SuppressWarnings("unchecked")
  private static <C> void add(
      CredentialPlaces<C> places, Object config, Set<String> headers, Set<String> query) {
    headers.addAll(places.credentialHeaders((C) config));
    query.addAll(places.credentialQueryParameters((C) config));
  }
}
