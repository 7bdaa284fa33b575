/**
 * The developer portal's model: published APIs, plans, applications owned by developer accounts,
 * subscriptions and the applications' API keys, kept as one document of the config store.
 *
 * <p>The portal changes the gateway only through admin writes ({@link
 * io.portico.store.ObjectWrite}): an application with keys is a consumer whose groups name its
 * approved subscriptions, and a published route carries the {@code key-auth}, {@code acl} and
 * {@code rate-limit} plugins that admit those groups at their plan's rate. The data plane sees them
 * as it sees any other admin write, without a restart.
 */
@NullMarked
package io.portico.portal;

import org.jspecify.annotations.NullMarked;
