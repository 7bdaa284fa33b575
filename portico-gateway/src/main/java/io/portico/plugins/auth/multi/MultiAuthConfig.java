package io.portico.plugins.auth.multi;

import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.AuthenticatorFactory;
import java.util.List;

/**
 * The config of {@code multi-auth}: the methods to try, in order, each with the config it would
 * have as a plugin of its own.
 */
public record MultiAuthConfig(List<Method> methods, AuthSettings auth) {

  /** One method: its factory and its parsed config. */
  public record Method(AuthenticatorFactory<?> factory, Object config) {}
}
