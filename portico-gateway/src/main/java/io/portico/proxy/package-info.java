/**
 * The proxy data path: downstream connections, one {@link io.portico.proxy.HttpExchange} per
 * request from its head to its last response byte, the upstream connection it borrows, and the
 * HTTP/2, gRPC and upgrade relays.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.proxy;

import org.jspecify.annotations.NullMarked;
