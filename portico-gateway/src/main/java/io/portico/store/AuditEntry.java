package io.portico.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One admin write, applied or not: who (the admin token's name), what, when, and how it ended.
 *
 * @param outcome {@code applied}, {@code rejected} (invalid), {@code conflict} (a stale {@code
 *     If-Match}) or {@code failed} (the store could not be written)
 * @param version the version it committed; null unless applied
 * @param detail the problems or the reason, empty when applied
 */
public record AuditEntry(
    Instant time,
    String actor,
    String action,
    String outcome,
    @Nullable Long version,
    String detail) {}
