/**
 * The console's accounts: who may sign in to the admin listener and what each may do. {@link
 * io.portico.accounts.Accounts} is the one entry point (accounts, sessions, API tokens, the
 * first-run setup link, sign-in throttling), kept in the config store's document {@code accounts}
 * ({@link io.portico.store.ConfigStore#putDocument}) and auditing every change in the store's audit
 * log. {@link io.portico.accounts.Role} names the four roles; what each may call is decided by the
 * admin listener.
 *
 * <p>Passwords are bcrypt hashes (Spring Security Crypto's {@code BCrypt}, also used by the {@code
 * basic-auth} plugin); sessions and the setup link live in memory, API tokens as SHA-256 digests of
 * 256 random bits.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.accounts;

import org.jspecify.annotations.NullMarked;
