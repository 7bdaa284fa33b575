package io.portico.plugins.ratelimit;

import java.time.Duration;

/**
 * The config of {@code limit-conn}.
 *
 * @param max the most requests of one key in flight at once
 * @param queue the most requests of one key waiting for a slot (0: refuse at once)
 * @param queueTimeout how long a request waits for a slot before it is refused
 * @param key what the limit counts by
 * @param missingKeyUsesIp whether a request without the key's value is counted by client IP
 * @param status the status of a refusal
 */
public record LimitConnConfig(
    int max, int queue, Duration queueTimeout, KeySpec key, boolean missingKeyUsesIp, int status) {}
