/**
 * Rate limiting plugins: {@code rate-limit} (local and Redis limiters), {@code quota} (calendar
 * periods in Redis) and {@code limit-conn}; {@link io.portico.plugins.ratelimit.Cost} is the one
 * reading of a cost header.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.ratelimit;

import org.jspecify.annotations.NullMarked;
