package io.portico.plugins.builtin;

import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.util.List;

/**
 * The config of {@code ip-restriction}.
 *
 * @param allow when not empty, only clients in one of these blocks pass
 * @param deny clients in one of these blocks are refused, even when also allowed
 * @param status the status of the refusal
 * @param message the refusal's problem detail
 */
public record IpRestrictionConfig(
    List<IpSubnetFilterRule> allow, List<IpSubnetFilterRule> deny, int status, String message) {

  public IpRestrictionConfig {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }
}
