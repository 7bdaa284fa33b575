package io.portico.config;

/**
 * Retries to another target. A request is retried only when that is provably safe: the connection
 * was refused or failed before any byte was sent, or the method is idempotent and no response byte
 * was received. Requests whose body was already streamed upstream are never retried.
 *
 * @param attempts additional attempts after the first (0 disables retries)
 * @param budgetPercent retries allowed as a percentage of recent requests to the service, so
 *     retries cannot multiply load during an outage
 */
public record RetryConfig(int attempts, int budgetPercent) {

  public static final RetryConfig DEFAULTS = new RetryConfig(1, 20);
}
