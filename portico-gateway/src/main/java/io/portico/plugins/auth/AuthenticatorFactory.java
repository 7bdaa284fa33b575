package io.portico.plugins.auth;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.CredentialPlaces;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;

/**
 * A plugin factory for an authentication scheme: it builds an {@link Authenticator}, and {@link
 * #create} wraps it in {@link Authentication}, so every scheme answers the same way. {@code
 * multi-auth} finds the factories of this type (with {@link java.util.ServiceLoader}) and combines
 * their authenticators; a token plugin (jwt) that implements this interface can be combined too. A
 * scheme that reads its credential from a header or query parameter its config names reports them
 * as {@link CredentialPlaces}, so the access log redacts them.
 *
 * @param <C> the scheme's compiled config
 */
public interface AuthenticatorFactory<C>
    extends PluginFactory<C>, ConsumerReferences<C>, CredentialPlaces<C> {

  /** The shared settings ({@code anonymous}, {@code hide-credentials}) of a config. */
  AuthSettings settings(C config);

  /**
   * Builds the scheme's authenticator from a parsed config and the consumers of the context.
   *
   * @throws IllegalArgumentException when the consumers' credentials do not fit together
   */
  Authenticator authenticator(C config, PluginContext context);

  /** Reports an {@code anonymous} that names no consumer. */
  @Override
  default void checkConsumerReferences(
      C config, ConfigNode node, Set<String> consumers, Problems problems) {
    String anonymous = settings(config).anonymous();
    if (anonymous != null && !consumers.contains(anonymous)) {
      ConfigNode at = node.isObject() ? node.fields().get("anonymous") : null;
      problems.expected(at != null ? at : node, "the name of a consumer");
    }
  }

  @Override
  default Plugin create(C config, PluginContext context) {
    return new Authentication(name(), authenticator(config, context), settings(config), context)
        .plugin();
  }
}
