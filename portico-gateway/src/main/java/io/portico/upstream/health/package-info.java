/**
 * Endpoint health and admission: active probes ({@link io.portico.upstream.health.ActiveChecker}),
 * passive outlier ejection from the outcomes of real requests ({@link
 * io.portico.upstream.health.OutlierDetector}), both combined per service by {@link
 * io.portico.upstream.health.ServiceHealth}, and the service's {@link
 * io.portico.upstream.health.CircuitBreaker}.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.upstream.health;

import org.jspecify.annotations.NullMarked;
