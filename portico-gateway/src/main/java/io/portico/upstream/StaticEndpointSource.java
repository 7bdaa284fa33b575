package io.portico.upstream;

import java.util.List;

/**
 * The endpoints written in the config (the {@code static} kind), resolved when the source is
 * created. Never changes; {@code READY} from the start ({@code EMPTY} for an empty list).
 */
public final class StaticEndpointSource extends PublishingEndpointSource {

  public StaticEndpointSource(List<Endpoint> endpoints) {
    publish(endpoints);
  }
}
