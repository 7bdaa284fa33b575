/**
 * The {@code hmac-auth} plugin: requests signed in the draft-cavage HTTP signature form, with a
 * clock-skew window and an optional body digest.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.hmac;

import org.jspecify.annotations.NullMarked;
