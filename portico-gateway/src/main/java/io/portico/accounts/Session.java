package io.portico.accounts;

import java.time.Instant;

/**
 * A signed-in browser session. The {@code secret} is the cookie's value and never leaves the
 * gateway otherwise; the {@code id} names the session in lists and revocations. The CSRF token is
 * the synchronizer token every write with this session must carry in {@code X-CSRF-Token}.
 *
 * <p>Thread-safe: only {@code lastSeen} changes, as a volatile field.
 */
public final class Session {

  private final String secret;
  private final String id;
  private final String account;
  private final String csrf;
  private final Instant created;
  private final String address;
  private final String userAgent;
  private volatile Instant lastSeen;

  Session(
      String secret,
      String id,
      String account,
      String csrf,
      Instant created,
      String address,
      String userAgent) {
    this.secret = secret;
    this.id = id;
    this.account = account;
    this.csrf = csrf;
    this.created = created;
    this.address = address;
    this.userAgent = userAgent;
    this.lastSeen = created;
  }

  /** The cookie value. */
  public String secret() {
    return secret;
  }

  public String id() {
    return id;
  }

  public String account() {
    return account;
  }

  public String csrf() {
    return csrf;
  }

  public Instant created() {
    return created;
  }

  public Instant lastSeen() {
    return lastSeen;
  }

  public String address() {
    return address;
  }

  public String userAgent() {
    return userAgent;
  }

  void touch(Instant now) {
    lastSeen = now;
  }
}
