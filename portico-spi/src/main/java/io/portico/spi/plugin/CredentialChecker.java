package io.portico.spi.plugin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;

/**
 * Implemented by a {@link PluginFactory} whose plugin authenticates consumers with credentials of
 * its own kind, written under {@code consumers[].credentials.<plugin-name>}:
 *
 * <pre>{@code
 * consumers:
 *   - name: alice
 *     credentials:
 *       key-auth: { key: "sha256:..." }   # checked by the factory named key-auth
 * }</pre>
 *
 * <p>When a config is loaded the gateway calls {@link #checkCredentials} for every consumer that
 * has credentials of this kind, so a malformed credential is reported where it is written, by
 * {@code portico validate} too, without creating any plugin. A credential kind that names no
 * installed plugin is reported by the gateway; a kind whose factory does not implement this
 * interface is accepted as it is. The plugin reads the same nodes again from {@link
 * PluginContext#consumers()} when it is created.
 *
 * <p>Called on the loading thread, once per consumer and load.
 */
public interface CredentialChecker {

  /**
   * Checks one consumer's credentials of this kind (an object, or a list of them, as the plugin
   * defines), reporting every problem against the node where it is.
   */
  void checkCredentials(ConfigNode credentials, Problems problems);
}
