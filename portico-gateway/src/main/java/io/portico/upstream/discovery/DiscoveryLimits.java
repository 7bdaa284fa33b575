package io.portico.upstream.discovery;

import java.util.List;

/**
 * What a service accepts from its registry, whatever the kind: at most {@code maxEndpoints}
 * endpoints, and only addresses the networks allow. A value with value equality, part of every
 * kind's settings, so a change of limits replaces the source on reload.
 *
 * @param maxEndpoints {@code max-endpoints}: how many endpoints are kept at most; over it, the
 *     first ones in the order of their addresses
 * @param allowedNetworks {@code allowed-networks}: CIDRs as written; when not empty, an address
 *     outside them is refused. Listing a network of {@link AddressFilter#BUILT_IN_REFUSALS} is what
 *     lets a registry name addresses in it.
 * @param deniedNetworks {@code denied-networks}: CIDRs as written, refused whatever else is said
 */
public record DiscoveryLimits(
    int maxEndpoints, List<String> allowedNetworks, List<String> deniedNetworks) {

  /** {@code max-endpoints} when not written. */
  public static final int DEFAULT_MAX_ENDPOINTS = 1024;

  /** The highest {@code max-endpoints} accepted. */
  public static final int MAX_MAX_ENDPOINTS = 65_536;

  /** No network listed, {@link #DEFAULT_MAX_ENDPOINTS}. */
  public static final DiscoveryLimits DEFAULT =
      new DiscoveryLimits(DEFAULT_MAX_ENDPOINTS, List.of(), List.of());

  public DiscoveryLimits {
    allowedNetworks = List.copyOf(allowedNetworks);
    deniedNetworks = List.copyOf(deniedNetworks);
  }
}
