package io.portico.plugin;

/**
 * The plugin registry could not be built: two factories share a name, a provider failed to load, or
 * the plugin directory could not be listed. Fatal at startup; the config parser reports it as a
 * problem at {@code runtime.plugin-dir}.
 */
public final class PluginLoadException extends RuntimeException {

  public PluginLoadException(String message) {
    super(message);
  }

  public PluginLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
