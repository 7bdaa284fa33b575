package io.portico.spi.plugin;

import java.util.Set;

/**
 * Implemented by a {@link PluginFactory PluginFactory&lt;C&gt;} whose plugin reads a credential
 * from a request header or a query parameter that its config names, such as an API key in {@code
 * X-Gateway-Key} or {@code ?k=}. The gateway redacts the values of these headers and parameters in
 * its access log and live log tail, as it redacts {@code Authorization}, whatever the log's own
 * {@code redact} lists say, so a key never lands in a log because the operator renamed its place.
 *
 * <p>Called on the thread that activates a config, once per configured instance and activation,
 * with a config whose parsing recorded no problem. The names apply to every route's log lines.
 *
 * @param <C> the factory's compiled configuration, as for {@link PluginFactory}
 */
public interface CredentialPlaces<C> {

  /**
   * The request headers that may carry a credential under {@code config}, in any letter case.
   *
   * @param config what this factory's {@link PluginFactory#parse} returned
   */
  default Set<String> credentialHeaders(C config) {
    return Set.of();
  }

  /**
   * The query parameters that may carry a credential under {@code config}, by their decoded name.
   *
   * @param config what this factory's {@link PluginFactory#parse} returned
   */
  default Set<String> credentialQueryParameters(C config) {
    return Set.of();
  }
}
