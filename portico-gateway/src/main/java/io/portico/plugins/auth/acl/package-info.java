/**
 * The {@code acl} plugin: allows or denies a request by the groups of the consumer that an
 * authentication plugin identified.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.acl;

import org.jspecify.annotations.NullMarked;
