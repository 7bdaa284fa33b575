package io.portico.upstream;

import io.portico.spi.config.ConfigReader;

/**
 * One kind of endpoint source, named in a service's config by {@code discovery: <name>}: {@code
 * static} today; {@code dns}, {@code kubernetes}, {@code consul}, {@code etcd}, {@code file} later.
 * Adding a kind is one class implementing this interface and one line in {@link
 * EndpointSourceKinds#builtIn()}.
 *
 * <p>{@link #parse} runs while the config is parsed (so {@code portico validate} reports its
 * problems, with file, line and column); {@link #create} runs when the snapshot is compiled, on the
 * start-up or reload thread, and only when the service's settings changed: a source whose settings
 * are {@code equals} to those of the running one is kept across the reload. Settings are therefore
 * immutable values with value equality (records).
 *
 * @param <S> the parsed settings
 */
public interface EndpointSourceKind<S> {

  /** The name written after {@code discovery:}; letters, digits and '-'. */
  String name();

  /**
   * Reads this kind's settings from the service's object: the kind reads its own keys
   * (conventionally one block named after the kind; {@code targets} for {@code static}) and reports
   * problems to the reader. The caller reports every key no one read as unknown.
   *
   * @return the settings; when there were problems, a neutral value (the config is rejected anyway)
   */
  S parse(ConfigReader service);

  /**
   * Creates a source for one service, not yet started. Problems that only show now (a host name
   * that does not resolve) go to {@link Context#problem}; they reject the snapshot.
   */
  EndpointSource create(S settings, Context context);

  /** What a kind may use while it creates a source. */
  interface Context {

    /** The service the source is for. */
    String service();

    /**
     * Rejects the snapshot with a problem at {@code services.<service>.<key>}.
     *
     * @param message {@code "<value> (expected: <rule>)"}
     */
    void problem(String key, String message);
  }
}
