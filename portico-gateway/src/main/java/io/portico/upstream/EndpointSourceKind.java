package io.portico.upstream;

import io.portico.config.DiscoveryKind;
import io.portico.config.DiscoverySpec;

/**
 * One kind of endpoint source, named in a service's config by {@code discovery: <name>}: {@code
 * static}, and the discovered kinds of {@code io.portico.upstream.discovery}: {@code dns}, {@code
 * consul}, {@code etcd}, {@code kubernetes}, {@code file}. Adding a kind is one class implementing
 * this interface and one line in {@code META-INF/services/io.portico.config.DiscoveryKind}.
 *
 * <p>{@link #parse} (from {@link DiscoveryKind}) runs while the config is parsed; {@link #create}
 * runs when the snapshot is compiled, on the start-up or reload thread, and only when the service's
 * settings changed: a source whose settings are {@code equals} to those of the running one is kept
 * across the reload.
 *
 * @param <S> the parsed settings
 */
public interface EndpointSourceKind<S> extends DiscoveryKind<S> {

  /**
   * Creates a source for one service, not yet started. Problems that only show now (a host name
   * that does not resolve) go to {@link Context#problem}; they reject the snapshot.
   */
  EndpointSource create(S settings, Context context);

  /** Creates a source of {@code spec}, whose kind must be one of these. */
  @SuppressWarnings("unchecked")
  static EndpointSource create(DiscoverySpec spec, Context context) {
    if (!(spec.kind() instanceof EndpointSourceKind<?> kind)) {
      throw new IllegalArgumentException(
          "discovery kind " + spec.kind().name() + " cannot create endpoint sources");
    }
    return ((EndpointSourceKind<Object>) kind).create(spec.settings(), context);
  }

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
