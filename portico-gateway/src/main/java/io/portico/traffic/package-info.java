/**
 * A route's traffic beyond its one service: {@link io.portico.traffic.TrafficSplit} (which service
 * serves a request: match rules, then an exact weighted sequence or a sticky hash) and {@link
 * io.portico.traffic.MirrorPlan} with {@link io.portico.traffic.MirrorCall} (a copy of the request
 * to a shadow service through the gateway's own {@link io.portico.upstream.UpstreamCall}, on the
 * exchange's event loop, its answer discarded).
 *
 * <p>{@link io.portico.traffic.RouteTraffic} is compiled once per snapshot from the route's {@code
 * traffic-split} and {@code mirror} sections; the proxy consults it after the request phases,
 * before the upstream call. Depends on nothing of the gateway but {@code config} and {@code
 * upstream}.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.traffic;

import org.jspecify.annotations.NullMarked;
