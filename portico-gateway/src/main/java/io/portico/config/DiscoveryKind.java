package io.portico.config;

import io.portico.spi.config.ConfigReader;

/**
 * What the config parser needs of an endpoint source kind, named in a service's config by {@code
 * discovery: <name>} or {@code discovery: { kind: <name>, ... }}: its name and how it reads its
 * settings. The kinds themselves live with the sources they create ({@code
 * io.portico.upstream.EndpointSourceKind} extends this), and are found through {@link
 * DiscoveryKinds}, so the config depends on no upstream code.
 *
 * <p>{@link #parse} runs while the config is parsed, so {@code portico validate} reports its
 * problems with file, line and column. Settings are immutable values with value equality (records):
 * a service whose settings are {@code equals} to those of the running source keeps it across a
 * reload.
 *
 * @param <S> the parsed settings
 */
public interface DiscoveryKind<S> {

  /** The name written after {@code discovery:}; letters, digits and '-'. */
  String name();

  /**
   * Reads this kind's settings from the service's object: the kind reads its own keys (the other
   * keys of the {@code discovery} object, through {@link #settingsOf}; {@code targets} for {@code
   * static}) and reports problems to the reader. The caller reports every key of the service no one
   * read as unknown.
   *
   * @return the settings; when there were problems, a neutral value (the config is rejected anyway)
   */
  S parse(ConfigReader service);

  /**
   * A reader over the service's {@code discovery} object with its {@code kind} already read, for a
   * kind whose settings sit beside it ({@code discovery: { kind: dns, name: api.internal }}); the
   * kind calls {@link ConfigReader#finish()} on it to report keys it does not know.
   */
  static ConfigReader settingsOf(ConfigReader service) {
    ConfigReader settings = service.object("discovery");
    settings.child("kind");
    return settings;
  }
}
