/**
 * Forwarding headers: what the gateway trusts of and adds to {@code Forwarded} and {@code
 * X-Forwarded-*}.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.forwarding;

import org.jspecify.annotations.NullMarked;
