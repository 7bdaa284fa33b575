/**
 * The {@code mtls-auth} plugin: the verified client certificate of a TLS listener mapped to a
 * consumer by fingerprint or subject name.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.mtls;

import org.jspecify.annotations.NullMarked;
