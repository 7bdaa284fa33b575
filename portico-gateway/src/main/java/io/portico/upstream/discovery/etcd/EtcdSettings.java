package io.portico.upstream.discovery.etcd;

import io.portico.upstream.discovery.DiscoveryLimits;
import java.net.URI;
import java.util.List;

/**
 * The settings of {@code discovery: { kind: etcd }}.
 *
 * @param endpoints the etcd members' client URLs, tried in turn when one fails
 * @param prefix the key prefix whose values are the instances
 * @param allowEmpty whether a prefix without keys empties the service
 * @param limits the addresses and the number of endpoints the service accepts
 */
public record EtcdSettings(
    List<URI> endpoints, String prefix, boolean allowEmpty, DiscoveryLimits limits) {
  public EtcdSettings {
    endpoints = List.copyOf(endpoints);
  }
}
