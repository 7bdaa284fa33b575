/**
 * Balancing policies beyond round-robin: least-request (power of two choices), peak-EWMA
 * latency-aware, consistent hashing on a ring, and slow start for new endpoints.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.upstream.balance;

import org.jspecify.annotations.NullMarked;
