package io.portico.upstream.discovery.kubernetes;

import io.portico.upstream.discovery.DiscoveryLimits;
import org.jspecify.annotations.Nullable;

/**
 * The settings of {@code discovery: { kind: kubernetes }}.
 *
 * @param service the Kubernetes Service whose EndpointSlices are watched
 * @param namespace its namespace
 * @param port the name of the Service port requests go to; null when the Service has one port
 * @param apiServer the API server's URL, or null for the client's own configuration (in-cluster
 *     service account, or the kube config)
 * @param allowEmpty whether a Service without ready endpoints empties the service
 * @param limits the addresses and the number of endpoints the service accepts
 */
public record KubernetesSettings(
    String service,
    String namespace,
    @Nullable String port,
    @Nullable String apiServer,
    boolean allowEmpty,
    DiscoveryLimits limits) {}
