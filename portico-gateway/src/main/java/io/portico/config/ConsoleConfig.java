package io.portico.config;

import java.time.Duration;

/**
 * The web console and its accounts ({@code admin.console}).
 *
 * @param enabled whether {@code /console} and the account endpoints are served
 * @param sessionIdle a session not used for this long ends
 * @param sessionMax a session ends this long after sign-in, used or not
 * @param secureCookie whether the session cookie is marked {@code Secure}: on when the console is
 *     reached over TLS (a TLS-terminating proxy in front of the admin listener)
 * @param setupLinkTtl how long the first-run setup link works
 */
public record ConsoleConfig(
    boolean enabled,
    Duration sessionIdle,
    Duration sessionMax,
    boolean secureCookie,
    Duration setupLinkTtl) {

  public static final ConsoleConfig DEFAULTS =
      new ConsoleConfig(
          true, Duration.ofMinutes(30), Duration.ofHours(12), false, Duration.ofHours(1));
}
