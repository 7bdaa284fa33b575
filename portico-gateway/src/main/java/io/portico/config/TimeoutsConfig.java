package io.portico.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Upstream timeouts.
 *
 * @param connect to establish a connection to a target
 * @param response from the request being fully sent to the response head arriving
 * @param idle the longest silence between two reads or writes once the exchange is under way
 */
public record TimeoutsConfig(Duration connect, Duration response, Duration idle) {

  public static final TimeoutsConfig DEFAULTS =
      new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));

  /** How the section is written, for the problem of a {@code timeouts} that is not an object. */
  public static final String EXAMPLE = "{ connect: 5s, response: 60s, idle: 60s }";

  /** This with the non-null fields of {@code override} replacing its own. */
  public TimeoutsConfig overriddenBy(@Nullable TimeoutsOverride override) {
    if (override == null) {
      return this;
    }
    return new TimeoutsConfig(
        override.connect() != null ? override.connect() : connect,
        override.response() != null ? override.response() : response,
        override.idle() != null ? override.idle() : idle);
  }

  /** A route's partial override of its service's timeouts; null fields keep the service's. */
  public record TimeoutsOverride(
      @Nullable Duration connect, @Nullable Duration response, @Nullable Duration idle) {}
}
