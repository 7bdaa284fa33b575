/**
 * TLS for the listeners: {@link io.portico.tls.ServerTls}, a listener's certificates chosen by SNI,
 * and ALPN; loaded into the snapshot and used by the proxy for each accepted connection.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.tls;

import org.jspecify.annotations.NullMarked;
