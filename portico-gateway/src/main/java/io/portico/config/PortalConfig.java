package io.portico.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The developer portal ({@code portal}).
 *
 * @param enabled whether {@code /portal} and its API are served (with the console's accounts)
 * @param signUp whether anyone who reaches the portal may create a developer account; otherwise an
 *     operator invites developers
 * @param address the portal's own listener ({@code portal.address}), serving only the portal's
 *     pages, its API and sign-in; null: the portal is served on the admin listener only
 * @param gatewayUrl the gateway's public URL as developers reach it, for the try-it panel; null:
 *     the first plain HTTP listener's address
 * @param quota where plans with a quota are counted, or null when no plan may have one
 * @param invitationTtl how long an invitation link works, in seconds
 */
public record PortalConfig(
    boolean enabled,
    boolean signUp,
    @Nullable InetSocketAddress address,
    @Nullable String gatewayUrl,
    @Nullable Quota quota,
    long invitationTtl) {

  /** Seven days. */
  public static final long DEFAULT_INVITATION_TTL = 7 * 24 * 3600;

  public static final PortalConfig DEFAULTS =
      new PortalConfig(true, false, null, null, null, DEFAULT_INVITATION_TTL);

  public PortalConfig(boolean enabled, boolean signUp) {
    this(enabled, signUp, null, null, null, DEFAULT_INVITATION_TTL);
  }

  /**
   * How plans' quotas are counted: the {@code quota} plugin's calendar counters in Redis.
   *
   * @param period {@code hour}, {@code day} or {@code month}: the period of the quota of plans that
   *     do not name one
   * @param redisUrl the Redis the counters live in
   * @param onFailure the quota plugin's {@code redis.on-failure} when Redis cannot be reached
   * @param timeout the quota plugin's {@code redis.timeout}: how long a call waits for Redis before
   *     {@code onFailure} applies
   */
  public record Quota(String period, String redisUrl, String onFailure, Duration timeout) {

    /** The quota plugin's default {@code redis.timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);

    /** The shortest {@code timeout}, as the quota plugin's {@code redis.timeout}. */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(1);

    /** The longest {@code timeout}, as the quota plugin's {@code redis.timeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
  }
}
