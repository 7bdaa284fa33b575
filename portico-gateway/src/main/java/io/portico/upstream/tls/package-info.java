/**
 * TLS to upstream endpoints: one client {@code SslContext} per service, a handler per connection
 * with SNI and host name verification.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.upstream.tls;

import org.jspecify.annotations.NullMarked;
