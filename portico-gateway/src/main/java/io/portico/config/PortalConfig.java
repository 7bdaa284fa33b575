package io.portico.config;

/**
 * The developer portal ({@code portal}).
 *
 * @param enabled whether {@code /portal} and its API are served (with the console's accounts)
 * @param signUp whether anyone who reaches the portal may create a developer account; otherwise an
 *     admin invites developers by creating their accounts
 */
public record PortalConfig(boolean enabled, boolean signUp) {

  public static final PortalConfig DEFAULTS = new PortalConfig(true, false);
}
