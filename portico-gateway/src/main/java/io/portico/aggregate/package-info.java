/**
 * Response aggregation: a route whose answer is built from several backends, each a call to a
 * configured service made through the gateway's own {@link io.portico.upstream.UpstreamCall} on the
 * exchange's event loop, their JSON bodies shaped and merged into one.
 *
 * <p>{@link io.portico.aggregate.AggregatePlan} is compiled once per snapshot from the route's
 * {@code aggregate} section; an {@link io.portico.aggregate.Aggregation} runs it for one exchange.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.aggregate;

import org.jspecify.annotations.NullMarked;
