package io.portico.accounts;

import java.time.Instant;

/**
 * An admin API token of an account, as stored: the token itself is shown once, when created.
 *
 * @param id the public id, to list and revoke it
 * @param digest the hex SHA-256 of the token (256 random bits, so a fast digest is enough)
 */
public record ApiToken(String id, String name, String digest, Instant created) {}
