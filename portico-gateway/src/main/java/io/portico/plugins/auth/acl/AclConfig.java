package io.portico.plugins.auth.acl;

import java.util.Set;

/**
 * The config of {@code acl}: groups and consumer names allowed or denied. A caller matching a deny
 * entry is refused; otherwise, when an allow list is set, a caller matching none of it is refused.
 */
public record AclConfig(
    Set<String> allowGroups,
    Set<String> denyGroups,
    Set<String> allowConsumers,
    Set<String> denyConsumers) {

  boolean hasAllow() {
    return !allowGroups.isEmpty() || !allowConsumers.isEmpty();
  }
}
