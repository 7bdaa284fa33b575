package io.portico.upstream;

/**
 * A service's endpoint source as configured: its kind and the settings the kind parsed. Two specs
 * are equal when their kinds are the same and their settings are equal; that is what keeps a
 * running source across a reload.
 */
public record EndpointSourceSpec(EndpointSourceKind<?> kind, Object settings) {

  /** Creates a source of this spec (not started). */
  public EndpointSource create(EndpointSourceKind.Context context) {
    return create(kind, settings, context);
  }

  @SuppressWarnings("unchecked")
  private static <S> EndpointSource create(
      EndpointSourceKind<S> kind, Object settings, EndpointSourceKind.Context context) {
    return kind.create((S) settings, context);
  }
}
