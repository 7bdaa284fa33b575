package io.portico.accounts;

import io.portico.config.ConsoleConfig;
import io.portico.store.AuditEntry;
import io.portico.store.ConfigStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The console's accounts, their sessions and API tokens, and the first-run setup link: the one
 * entry point, which keeps the accounts and serialises their changes, with its parts in classes of
 * their own: {@link Sessions}, {@link ApiTokens}, {@link SignInThrottle}, {@link SetupLink}, {@link
 * Passwords} (hashes and rules), {@link AccountsDocument} (the stored form) and {@link Secrets}.
 *
 * <ul>
 *   <li><b>Storage.</b> Accounts (name, role, bcrypt hash, API token digests) are the store's
 *       document {@code accounts}, rewritten atomically on every change before the change is
 *       visible; a change the store refuses is not made. Sessions and the setup link are in memory:
 *       a restart signs everyone out.
 *   <li><b>No default password.</b> {@link #bootstrap} creates the account {@code admin} from a
 *       password given at start ({@code PORTICO_ADMIN_PASSWORD}), or returns a one-time setup token
 *       that expires; the first {@link #setup} with it creates an admin account and consumes it.
 *   <li><b>Sign-in</b> answers the same refusal for an unknown account and a wrong password, after
 *       the same bcrypt work, and counts failures per account name and per client address ({@link
 *       SignInThrottle}). Every sign-in makes a new session (its id is never taken from the
 *       client).
 *   <li><b>Sessions</b> end after {@code session-idle} without use and {@code session-max} after
 *       sign-in, at sign-out, on revocation, when the password changes (all but the one changing
 *       it) and when the account is deleted.
 *   <li><b>Audit.</b> Every change (accounts, passwords, tokens, setup, sign-in and sign-out) is
 *       appended to the store's audit log with who did it.
 * </ul>
 *
 * <p>Thread-safe. What the admin listener asks on its event loops for every request ({@link
 * #session}, {@link #tokenAccount}, {@link #account}, {@link #empty}) reads immutable maps and a
 * concurrent one without taking a lock, so it never waits for a password hash or a store write.
 * Changes are serialised by the instance's lock; password hashing (tens of milliseconds) runs
 * outside it. Call the methods that hash or write ({@link #signIn}, {@link #setup}, {@link
 * #create}, {@link #update}, {@link #changePassword}, the token and session changes) off the event
 * loops.
 */
public final class Accounts {

  /** The account {@link #bootstrap} creates from a password given at start. */
  public static final String FIRST_ADMIN = "admin";

  /** Minimum password length in characters. */
  public static final int MIN_PASSWORD = 10;

  /** bcrypt's limit: bytes beyond 72 would be ignored, so longer passwords are refused. */
  public static final int MAX_PASSWORD_BYTES = 72;

  /** The prefix of account API tokens, so that they are told apart from config tokens. */
  public static final String TOKEN_PREFIX = "ptk_";

  private final ConfigStore store;
  private final ConsoleConfig config;
  private final Clock clock;
  private final Passwords passwords;
  private final Sessions sessions;
  private final ApiTokens tokens;
  private final SetupLink setupLink;
  private final SignInThrottle throttle = new SignInThrottle();
  private final SignUpThrottle signUps = new SignUpThrottle();
  private volatile Map<String, Account> accounts = Map.of();

  private Accounts(ConfigStore store, ConsoleConfig config, Clock clock) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    SecureRandom random = new SecureRandom();
    Secrets secrets = new Secrets(random);
    this.passwords = new Passwords(random, secrets);
    this.sessions = new Sessions(config, clock, secrets);
    this.tokens = new ApiTokens(secrets, clock);
    this.setupLink = new SetupLink(secrets, clock);
  }

  /**
   * Opens the accounts kept in {@code store}.
   *
   * @throws IOException when the document cannot be read or is not one this class wrote
   */
  public static Accounts open(ConfigStore store, ConsoleConfig config, Clock clock)
      throws IOException {
    Accounts a = new Accounts(store, config, clock);
    a.read();
    return a;
  }

  public ConsoleConfig config() {
    return config;
  }

  // ---- first start

  /**
   * When there is no account yet: creates {@link #FIRST_ADMIN} with {@code password} when given
   * (empty result), else returns a new setup token valid for {@code setup-link-ttl}. Empty when
   * accounts exist.
   *
   * @throws IllegalArgumentException when the given password breaks the password rules
   * @throws IOException when the store cannot be written
   */
  public synchronized Optional<String> bootstrap(@Nullable String password) throws IOException {
    if (!accounts.isEmpty()) {
      return Optional.empty();
    }
    if (password != null && !password.isEmpty()) {
      String problem = Passwords.problem(password, FIRST_ADMIN);
      if (problem != null) {
        throw new IllegalArgumentException("PORTICO_ADMIN_PASSWORD: " + problem);
      }
      Instant now = clock.instant();
      Account a =
          new Account(FIRST_ADMIN, Role.ADMIN, passwords.hash(password), now, now, List.of());
      save(withAccount(a));
      audit("PORTICO_ADMIN_PASSWORD", "create account " + FIRST_ADMIN, "role admin, at start");
      return Optional.empty();
    }
    return Optional.of(setupLink.issue(config.setupLinkTtl()));
  }

  /** Whether no account exists yet. */
  public boolean empty() {
    return accounts.isEmpty();
  }

  /** Whether a setup token is waiting to be used. */
  public synchronized boolean setupPending() {
    return setupLink.pending() && accounts.isEmpty();
  }

  /**
   * Creates the first admin account with the one-time setup token and signs it in. The token works
   * once, before it expires, and only while no account exists. The token is checked before the
   * password is hashed: a refused call costs a digest, not bcrypt's tens of milliseconds on the
   * admin listener's one thread, which anyone who reaches the listener could otherwise keep busy.
   */
  public Outcome<Session> setup(
      String token, String name, String password, String address, String userAgent)
      throws IOException {
    synchronized (this) {
      if (!accounts.isEmpty() || !setupLink.accepts(token)) {
        return setupRefused();
      }
    }
    String problem = nameProblem(name);
    if (problem == null) {
      problem = Passwords.problem(password, name);
    }
    String hash = problem == null ? passwords.hash(password) : "";
    synchronized (this) {
      return setup(token, name, hash, problem, address, userAgent);
    }
  }

  private Outcome<Session> setup(
      String token,
      String name,
      String hash,
      @Nullable String problem,
      String address,
      String userAgent)
      throws IOException {
    if (!accounts.isEmpty() || !setupLink.accepts(token)) {
      return setupRefused();
    }
    if (problem != null) {
      return Outcome.refused(400, "account-invalid", problem);
    }
    Instant now = clock.instant();
    Account a = new Account(name, Role.ADMIN, hash, now, now, List.of());
    save(withAccount(a));
    setupLink.used();
    audit(name, "setup", "created the first account, role admin, with the setup link");
    return Outcome.done(sessions.open(name, address, userAgent));
  }

  private static <T> Outcome<T> setupRefused() {
    return Outcome.refused(
        403,
        "setup-link-invalid",
        "The setup link is not valid: it was used, it expired, or an account exists. Restart the"
            + " gateway without accounts for a new link, or sign in.");
  }

  /** How many passwords this instance has hashed (each is bcrypt's work). */
  int passwordHashes() {
    return passwords.hashes();
  }

  // ---- sign-in and sessions

  /**
   * Signs in: a new session, or a refusal that does not tell an unknown account from a wrong
   * password ({@code 401}), or {@code 429} while the account name or the address is locked (the
   * detail then says for how many seconds: {@link Refusal#detail}).
   *
   * <p>A name that no account can have ({@link #nameProblem}: longer than 64 characters, with
   * control characters, ...) is throttled and audited as {@link #unknownName}, its first 64
   * characters: whoever calls the sign-in, signed in or not, must not make the throttle's keys and
   * the audit log (on disk and in memory) hold a body's worth of text per attempt.
   */
  public Outcome<Session> signIn(String given, String password, String address, String userAgent)
      throws IOException {
    boolean valid = nameProblem(given) == null;
    String name = valid ? given : unknownName(given);
    synchronized (this) {
      Duration locked = throttle.locked(name, address, clock.instant());
      if (locked != null) {
        return Outcome.refused(
            429,
            "sign-in-throttled",
            "Too many failed sign-ins; try again in " + Math.max(1, locked.toSeconds()) + " s.");
      }
    }
    Account a = valid ? accounts.get(name) : null;
    boolean ok = passwords.matches(password, a == null ? null : a.passwordHash());
    synchronized (this) {
      return signedIn(name, ok, address, userAgent);
    }
  }

  private Outcome<Session> signedIn(String name, boolean ok, String address, String userAgent)
      throws IOException {
    if (!ok) {
      throttle.failed(name, address, clock.instant());
      audit(name, "sign-in", "refused from " + address, "rejected");
      return Outcome.refused(401, "sign-in-failed", "The account name or password is wrong.");
    }
    throttle.succeeded(name);
    Session s = sessions.open(name, address, userAgent);
    audit(name, "sign-in", "from " + address);
    return Outcome.done(s);
  }

  /** The session whose cookie value is {@code secret}, if it has not ended; marks it used. */
  public @Nullable Session session(String secret) {
    return sessions.find(secret, accounts::containsKey);
  }

  /** Ends a session (sign-out). */
  public synchronized void signOut(Session s) throws IOException {
    if (sessions.end(s)) {
      audit(s.account(), "sign-out", "session " + s.id());
    }
  }

  /** The account's sessions that have not ended, newest first. */
  public List<Session> sessions(String account) {
    return sessions.of(account);
  }

  /** Ends the account's session {@code id}; false when it has none such. */
  public synchronized boolean revokeSession(String account, String id, String actor)
      throws IOException {
    if (!sessions.end(account, id)) {
      return false;
    }
    audit(actor, "revoke session", "session " + id + " of " + account);
    return true;
  }

  /**
   * Changes the account's own password: {@code current} must be right; every other session of the
   * account ends.
   */
  public Outcome<Account> changePassword(
      String name, String current, String next, @Nullable Session keep) throws IOException {
    Account a = accounts.get(name);
    if (a == null) {
      return Outcome.refused(404, "account-not-found", "No account " + name + ".");
    }
    if (!passwords.matches(current, a.passwordHash())) {
      synchronized (this) {
        audit(name, "change password", "the current password was wrong", "rejected");
      }
      return Outcome.refused(403, "password-wrong", "The current password is wrong.");
    }
    String problem = Passwords.problem(next, name);
    if (problem != null) {
      return Outcome.refused(400, "account-invalid", problem);
    }
    String hash = passwords.hash(next);
    synchronized (this) {
      return passwordChanged(name, a.passwordHash(), hash, keep);
    }
  }

  private Outcome<Account> passwordChanged(
      String name, String checkedHash, String hash, @Nullable Session keep) throws IOException {
    Account a = accounts.get(name);
    if (a == null || !a.passwordHash().equals(checkedHash)) {
      return Outcome.refused(409, "account-changed", "The account changed meanwhile; try again.");
    }
    Account changed = a.withPassword(hash, clock.instant());
    save(replace(changed));
    sessions.endAll(name, keep);
    audit(name, "change password", "other sessions ended");
    return Outcome.done(changed);
  }

  // ---- API tokens

  /** A token just created: {@code token} is shown once and never stored. */
  public record NewToken(ApiToken stored, String token) {}

  /** Creates an API token for the account, acting with the account's role at each use. */
  public synchronized Outcome<NewToken> createToken(String account, String tokenName)
      throws IOException {
    Account a = accounts.get(account);
    if (a == null) {
      return Outcome.refused(
          409, "account-required", "Only accounts have API tokens; sign in with an account.");
    }
    String problem = ApiTokens.nameProblem(tokenName);
    if (problem != null) {
      return Outcome.refused(400, "token-invalid", problem);
    }
    if (a.tokens().size() >= ApiTokens.MAX_PER_ACCOUNT) {
      return Outcome.refused(
          409, "token-limit", "An account has at most " + ApiTokens.MAX_PER_ACCOUNT + " tokens.");
    }
    NewToken t = tokens.mint(tokenName);
    List<ApiToken> kept = new ArrayList<>(a.tokens());
    kept.add(t.stored());
    save(replace(a.withTokens(kept)));
    audit(account, "create token", "token " + t.stored().id() + " (" + tokenName + ")");
    return Outcome.done(t);
  }

  /** The account's tokens, without their secrets. */
  public List<ApiToken> tokens(String account) {
    Account a = accounts.get(account);
    return a == null ? List.of() : a.tokens();
  }

  /** Revokes the account's token {@code id}; false when it has none such. */
  public synchronized boolean revokeToken(String account, String id) throws IOException {
    Account a = accounts.get(account);
    if (a == null) {
      return false;
    }
    List<ApiToken> kept = a.tokens().stream().filter(t -> !t.id().equals(id)).toList();
    if (kept.size() == a.tokens().size()) {
      return false;
    }
    save(replace(a.withTokens(kept)));
    audit(account, "revoke token", "token " + id);
    return true;
  }

  /** The account a bearer token belongs to, with its role now; null for none. */
  public @Nullable Account tokenAccount(String token) {
    String owner = tokens.owner(token);
    return owner == null ? null : accounts.get(owner);
  }

  // ---- accounts

  public @Nullable Account account(String name) {
    return accounts.get(name);
  }

  /** Every account, in the order created. */
  public List<Account> list() {
    return List.copyOf(accounts.values());
  }

  /**
   * A developer's self-service sign-up from the portal: {@link #create} under the {@link
   * SignUpThrottle}'s limits per address and in all, or {@code 429} with how many seconds to wait.
   *
   * <p>A name that is taken is not told apart from a free one: the outcome is {@code Done(false)}
   * after the same password check and bcrypt work as a creation ({@code Done(true)}), so neither
   * the answer nor its timing says whether an account exists. The existing account is untouched;
   * the refusal is in the audit log.
   */
  public Outcome<Boolean> signUp(String name, String password, String address) throws IOException {
    synchronized (this) {
      Duration wait = signUps.attempt(address, clock.instant());
      if (wait != null) {
        return Outcome.refused(
            429,
            "sign-up-throttled",
            "Too many sign-ups; try again in " + Math.max(1, wait.toSeconds()) + " s.");
      }
    }
    Outcome<Account> o = create("sign-up", name, Role.DEVELOPER, password);
    if (o instanceof Outcome.Done<Account>) {
      synchronized (this) {
        signUps.created(clock.instant());
      }
      return Outcome.done(true);
    }
    Refusal r = ((Outcome.Refused<Account>) o).refusal();
    if (!r.type().equals("account-exists")) {
      return Outcome.refused(r.status(), r.type(), r.detail());
    }
    passwords.hash(password); // the work a creation does, so the time says nothing either
    audit("sign-up", "create account " + name, "the name is taken", "refused");
    return Outcome.done(false);
  }

  /** Creates an account. */
  public Outcome<Account> create(String actor, String name, @Nullable Role role, String password)
      throws IOException {
    String problem = nameProblem(name);
    if (problem == null && role == null) {
      problem = "role: (expected: admin, operator, viewer or developer)";
    }
    if (problem == null) {
      problem = Passwords.problem(password, name);
    }
    if (problem != null || role == null) {
      return Outcome.refused(400, "account-invalid", String.valueOf(problem));
    }
    if (accounts.containsKey(name)) {
      return Outcome.refused(409, "account-exists", "An account " + name + " exists.");
    }
    String hash = passwords.hash(password);
    synchronized (this) {
      if (accounts.containsKey(name)) {
        return Outcome.refused(409, "account-exists", "An account " + name + " exists.");
      }
      Instant now = clock.instant();
      Account a = new Account(name, role, hash, now, now, List.of());
      save(withAccount(a));
      audit(actor, "create account " + name, "role " + role.text());
      return Outcome.done(a);
    }
  }

  /**
   * Changes an account's role and/or sets a new password (an admin resetting it). The last admin
   * cannot lose the role. A new password ends the account's sessions.
   */
  public Outcome<Account> update(
      String actor, String name, @Nullable Role role, @Nullable String password)
      throws IOException {
    if (password != null) {
      String problem = Passwords.problem(password, name);
      if (problem != null) {
        return Outcome.refused(400, "account-invalid", problem);
      }
    }
    String hash = password == null ? null : passwords.hash(password);
    synchronized (this) {
      return updated(actor, name, role, hash);
    }
  }

  private Outcome<Account> updated(
      String actor, String name, @Nullable Role role, @Nullable String hash) throws IOException {
    Account a = accounts.get(name);
    if (a == null) {
      return Outcome.refused(404, "account-not-found", "No account " + name + ".");
    }
    if (role != null && role != Role.ADMIN && a.role() == Role.ADMIN && admins() == 1) {
      return Outcome.refused(
          409, "last-admin", "The account " + name + " is the last admin; make another first.");
    }
    Account changed = a;
    List<String> what = new ArrayList<>();
    if (role != null && role != a.role()) {
      changed = changed.withRole(role);
      what.add("role " + a.role().text() + " -> " + role.text());
    }
    if (hash != null) {
      changed = changed.withPassword(hash, clock.instant());
      what.add("password reset, sessions ended");
    }
    save(replace(changed));
    if (hash != null) {
      sessions.endAll(name, null);
    }
    audit(actor, "update account " + name, what.isEmpty() ? "no change" : String.join(", ", what));
    return Outcome.done(changed);
  }

  /** Deletes an account, its sessions and tokens; never the last admin. */
  public synchronized Outcome<Account> delete(String actor, String name) throws IOException {
    Account a = accounts.get(name);
    if (a == null) {
      return Outcome.refused(404, "account-not-found", "No account " + name + ".");
    }
    if (a.role() == Role.ADMIN && admins() == 1) {
      return Outcome.refused(409, "last-admin", "The account " + name + " is the last admin.");
    }
    Map<String, Account> next = new LinkedHashMap<>(accounts);
    next.remove(name);
    save(next);
    sessions.endAll(name, null);
    audit(actor, "delete account " + name, "role " + a.role().text());
    return Outcome.done(a);
  }

  // ---- rules

  /** What is wrong with an account name, or null. */
  static @Nullable String nameProblem(String name) {
    if (name.isEmpty()
        || name.length() > 64
        || !name.strip().equals(name)
        || name.indexOf('/') >= 0
        || hasControl(name)) {
      return "name: "
          + name
          + " (expected: 1 to 64 characters, no /, no control characters, no space at either end)";
    }
    return null;
  }

  /**
   * A name that breaks the name rules as the throttle and the audit log keep it: at most its first
   * 64 characters, each control character as {@code ?}, and {@code …} when it was longer.
   */
  static String unknownName(String name) {
    int kept = Math.min(name.length(), 64);
    StringBuilder out = new StringBuilder(kept + 1);
    for (int i = 0; i < kept; i++) {
      char c = name.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return name.length() > kept ? out.append('\u2026').toString() : out.toString();
  }

  static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }

  // ---- internals

  private long admins() {
    return accounts.values().stream().filter(a -> a.role() == Role.ADMIN).count();
  }

  private Map<String, Account> withAccount(Account a) {
    Map<String, Account> next = new LinkedHashMap<>(accounts);
    next.put(a.name(), a);
    return next;
  }

  private Map<String, Account> replace(Account a) {
    return withAccount(a);
  }

  private void audit(String actor, String action, String detail) throws IOException {
    audit(actor, action, detail, "applied");
  }

  private void audit(String actor, String action, String detail, String outcome)
      throws IOException {
    store.audit(new AuditEntry(clock.instant(), actor, action, outcome, null, detail));
  }

  /** Writes {@code next} to the store, then makes it current. */
  private void save(Map<String, Account> next) throws IOException {
    store.putDocument(AccountsDocument.NAME, AccountsDocument.write(next.values()));
    accounts = Collections.unmodifiableMap(new LinkedHashMap<>(next));
    tokens.index(accounts.values());
  }

  private void read() throws IOException {
    Optional<byte[]> doc = store.document(AccountsDocument.NAME);
    if (doc.isEmpty()) {
      return;
    }
    accounts = Collections.unmodifiableMap(AccountsDocument.read(doc.get()));
    tokens.index(accounts.values());
  }
}
