package io.portico.ai;

import org.jspecify.annotations.Nullable;

/**
 * One server-sent event as read from a provider.
 *
 * @param event the {@code event:} field, or null
 * @param data the {@code data:} lines joined with newlines (empty when none)
 */
record SseEvent(@Nullable String event, String data) {}
