/**
 * What the data plane's event-loop code shares on both sides of the proxy: {@link
 * io.portico.eventloop.Deadline}s, as {@link io.portico.eventloop.DeadlineTimer} (the one
 * resettable deadline a client or an upstream connection keeps for its timeouts) or from {@link
 * io.portico.eventloop.StreamDeadlines} (an HTTP/2 connection's streams on one scheduled task), and
 * {@link io.portico.eventloop.BurstFlushingHttp2Handler}, the base of the client side's and the
 * upstream side's HTTP/2 connection handlers, with {@link io.portico.eventloop.HeldFrames}, the
 * frames a stream keeps while its reader holds it.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.eventloop;

import org.jspecify.annotations.NullMarked;
