package io.portico.upstream.discovery.consul;

import io.portico.upstream.discovery.DiscoveryLimits;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The settings of {@code discovery: { kind: consul }}.
 *
 * @param address the Consul agent's HTTP API, {@code http://127.0.0.1:8500} by default
 * @param service the Consul service whose instances are the endpoints
 * @param tags tags an instance must all carry to be used
 * @param datacenter the datacenter asked, or null for the agent's own
 * @param blockFor how long one blocking query may wait for a change
 * @param allowEmpty whether an answer with no passing instance empties the service
 * @param limits the addresses and the number of endpoints the service accepts
 */
public record ConsulSettings(
    URI address,
    String service,
    List<String> tags,
    @Nullable String datacenter,
    Duration blockFor,
    boolean allowEmpty,
    DiscoveryLimits limits) {

  public ConsulSettings {
    tags = List.copyOf(tags);
  }
}
