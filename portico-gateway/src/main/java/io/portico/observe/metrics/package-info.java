/**
 * The gateway's metrics: the Prometheus registry and its scrape, the meters of every finished
 * exchange by route and consumer, and the gauges the composition root feeds.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.observe.metrics;

import org.jspecify.annotations.NullMarked;
