package io.portico.accounts;

import io.portico.config.ConsoleConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The signed-in browser sessions, in memory (a restart signs everyone out), keyed by their cookie
 * value. A session ends after {@code session-idle} without use or {@code session-max} after
 * sign-in, or when it is ended (sign-out, revocation, a password change, the account's deletion).
 * At most {@value #MAX_SESSIONS} are kept: beyond, the expired go, then the least recently used.
 *
 * <p>Thread-safe: a concurrent map, read without a lock on every request of the admin listener;
 * only a session's {@code lastSeen} changes, as a volatile field. {@link Accounts} audits the ends
 * it makes.
 */
final class Sessions {

  private static final int MAX_SESSIONS = 10_000;

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final ConsoleConfig config;
  private final Clock clock;
  private final Secrets secrets;

  Sessions(ConsoleConfig config, Clock clock, Secrets secrets) {
    this.config = config;
    this.clock = clock;
    this.secrets = secrets;
  }

  /** A new session of {@code account} (its secret and id are new, never the client's). */
  Session open(String account, String address, String userAgent) {
    Instant now = clock.instant();
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().removeIf(s -> expired(s, now));
      if (sessions.size() >= MAX_SESSIONS) {
        sessions.values().stream()
            .min(Comparator.comparing(Session::lastSeen))
            .ifPresent(oldest -> sessions.remove(oldest.secret()));
      }
    }
    String ua = userAgent.length() > 200 ? userAgent.substring(0, 200) : userAgent;
    Session s =
        new Session(secrets.text(32), secrets.hex(8), account, secrets.text(32), now, address, ua);
    sessions.put(s.secret(), s);
    return s;
  }

  /**
   * The session whose cookie value is {@code secret}, if it has not ended and its account {@code
   * exists}; marks it used.
   */
  @Nullable Session find(String secret, Predicate<String> exists) {
    Session s = sessions.get(secret);
    if (s == null) {
      return null;
    }
    Instant now = clock.instant();
    if (expired(s, now) || !exists.test(s.account())) {
      sessions.remove(secret);
      return null;
    }
    s.touch(now);
    return s;
  }

  /** Ends {@code s}; false when it had ended already. */
  boolean end(Session s) {
    return sessions.remove(s.secret()) != null;
  }

  /** Ends the account's session {@code id}; false when it has none such. */
  boolean end(String account, String id) {
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session s = it.next();
      if (s.account().equals(account) && s.id().equals(id)) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /** Ends every session of the account but {@code keep}, when given. */
  void endAll(String account, @Nullable Session keep) {
    sessions.values().removeIf(s -> s.account().equals(account) && (keep == null || s != keep));
  }

  /** The account's sessions that have not ended, newest first. */
  List<Session> of(String account) {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> expired(s, now));
    return sessions.values().stream()
        .filter(s -> s.account().equals(account))
        .sorted(Comparator.comparing(Session::created).reversed())
        .toList();
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastSeen().plus(config.sessionIdle()))
        || !now.isBefore(s.created().plus(config.sessionMax()));
  }
}
