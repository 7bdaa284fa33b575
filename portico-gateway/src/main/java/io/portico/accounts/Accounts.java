package io.portico.accounts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.config.ConsoleConfig;
import io.portico.store.AuditEntry;
import io.portico.store.ConfigStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The console's accounts, their sessions and API tokens, and the first-run setup link.
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

  private static final int BCRYPT_COST = 10;
  private static final int FREE_PER_ACCOUNT = 5;
  private static final int FREE_PER_ADDRESS = 20;
  private static final int MAX_SESSIONS = 10_000;
  private static final String DOCUMENT = "accounts";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConfigStore store;
  private final ConsoleConfig config;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private volatile Map<String, Account> accounts = Map.of();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private volatile Map<String, String> tokenOwners = Map.of();
  private final SignInThrottle throttle = new SignInThrottle();
  private final String dummyHash;
  private @Nullable String setupDigest;
  private Instant setupExpires = Instant.EPOCH;

  private Accounts(ConfigStore store, ConsoleConfig config, Clock clock) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.dummyHash = BCrypt.hashpw(randomText(16), BCrypt.gensalt(BCRYPT_COST, random));
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
      String problem = passwordProblem(password, FIRST_ADMIN);
      if (problem != null) {
        throw new IllegalArgumentException("PORTICO_ADMIN_PASSWORD: " + problem);
      }
      Instant now = clock.instant();
      Account a = new Account(FIRST_ADMIN, Role.ADMIN, hash(password), now, now, List.of());
      save(withAccount(a));
      audit("PORTICO_ADMIN_PASSWORD", "create account " + FIRST_ADMIN, "role admin, at start");
      return Optional.empty();
    }
    String token = randomText(32);
    setupDigest = sha256(token);
    setupExpires = clock.instant().plus(config.setupLinkTtl());
    return Optional.of(token);
  }

  /** Whether no account exists yet. */
  public boolean empty() {
    return accounts.isEmpty();
  }

  /** Whether a setup token is waiting to be used. */
  public synchronized boolean setupPending() {
    return setupDigest != null && clock.instant().isBefore(setupExpires) && accounts.isEmpty();
  }

  /**
   * Creates the first admin account with the one-time setup token and signs it in. The token works
   * once, before it expires, and only while no account exists.
   */
  public Outcome<Session> setup(
      String token, String name, String password, String address, String userAgent)
      throws IOException {
    String problem = nameProblem(name);
    if (problem == null) {
      problem = passwordProblem(password, name);
    }
    String hash = problem == null ? hash(password) : "";
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
    String digest = setupDigest;
    if (digest == null
        || !accounts.isEmpty()
        || !clock.instant().isBefore(setupExpires)
        || !MessageDigest.isEqual(
            digest.getBytes(StandardCharsets.US_ASCII),
            sha256(token).getBytes(StandardCharsets.US_ASCII))) {
      return Outcome.refused(
          403,
          "setup-link-invalid",
          "The setup link is not valid: it was used, it expired, or an account exists. Restart the"
              + " gateway without accounts for a new link, or sign in.");
    }
    if (problem != null) {
      return Outcome.refused(400, "account-invalid", problem);
    }
    Instant now = clock.instant();
    Account a = new Account(name, Role.ADMIN, hash, now, now, List.of());
    save(withAccount(a));
    setupDigest = null;
    audit(name, "setup", "created the first account, role admin, with the setup link");
    return Outcome.done(newSession(name, address, userAgent));
  }

  // ---- sign-in and sessions

  /**
   * Signs in: a new session, or a refusal that does not tell an unknown account from a wrong
   * password ({@code 401}), or {@code 429} while the account name or the address is locked (the
   * detail then says for how many seconds: {@link Refusal#detail}).
   */
  public Outcome<Session> signIn(String name, String password, String address, String userAgent)
      throws IOException {
    String accountKey = "account:" + name.toLowerCase(Locale.ROOT);
    String addressKey = "address:" + address;
    synchronized (this) {
      Instant now = clock.instant();
      Duration locked = longer(throttle.locked(accountKey, now), throttle.locked(addressKey, now));
      if (locked != null) {
        return Outcome.refused(
            429,
            "sign-in-throttled",
            "Too many failed sign-ins; try again in " + Math.max(1, locked.toSeconds()) + " s.");
      }
    }
    Account a = accounts.get(name);
    boolean ok = check(password, a == null ? dummyHash : a.passwordHash()) && a != null;
    synchronized (this) {
      return signedIn(name, ok, accountKey, addressKey, address, userAgent);
    }
  }

  private Outcome<Session> signedIn(
      String name,
      boolean ok,
      String accountKey,
      String addressKey,
      String address,
      String userAgent)
      throws IOException {
    Instant now = clock.instant();
    if (!ok) {
      throttle.failed(accountKey, FREE_PER_ACCOUNT, now);
      throttle.failed(addressKey, FREE_PER_ADDRESS, now);
      audit(name, "sign-in", "refused from " + address, "rejected");
      return Outcome.refused(401, "sign-in-failed", "The account name or password is wrong.");
    }
    throttle.succeeded(accountKey);
    Session s = newSession(name, address, userAgent);
    audit(name, "sign-in", "from " + address);
    return Outcome.done(s);
  }

  /** The session whose cookie value is {@code secret}, if it has not ended; marks it used. */
  public @Nullable Session session(String secret) {
    Session s = sessions.get(secret);
    if (s == null) {
      return null;
    }
    Instant now = clock.instant();
    if (expired(s, now) || !accounts.containsKey(s.account())) {
      sessions.remove(secret);
      return null;
    }
    s.touch(now);
    return s;
  }

  /** Ends a session (sign-out). */
  public synchronized void signOut(Session s) throws IOException {
    if (sessions.remove(s.secret()) != null) {
      audit(s.account(), "sign-out", "session " + s.id());
    }
  }

  /** The account's sessions that have not ended, newest first. */
  public List<Session> sessions(String account) {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> expired(s, now));
    return sessions.values().stream()
        .filter(s -> s.account().equals(account))
        .sorted(Comparator.comparing(Session::created).reversed())
        .toList();
  }

  /** Ends the account's session {@code id}; false when it has none such. */
  public synchronized boolean revokeSession(String account, String id, String actor)
      throws IOException {
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session s = it.next();
      if (s.account().equals(account) && s.id().equals(id)) {
        it.remove();
        audit(actor, "revoke session", "session " + id + " of " + account);
        return true;
      }
    }
    return false;
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
    if (!check(current, a.passwordHash())) {
      synchronized (this) {
        audit(name, "change password", "the current password was wrong", "rejected");
      }
      return Outcome.refused(403, "password-wrong", "The current password is wrong.");
    }
    String problem = passwordProblem(next, name);
    if (problem != null) {
      return Outcome.refused(400, "account-invalid", problem);
    }
    String hash = hash(next);
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
    endSessions(name, keep);
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
    if (tokenName.isBlank() || tokenName.length() > 64 || hasControl(tokenName)) {
      return Outcome.refused(
          400, "token-invalid", "name: (expected: 1 to 64 characters, no control characters)");
    }
    if (a.tokens().size() >= 50) {
      return Outcome.refused(409, "token-limit", "An account has at most 50 tokens.");
    }
    String token = TOKEN_PREFIX + randomText(32);
    ApiToken t = new ApiToken(randomHex(8), tokenName, sha256(token), clock.instant());
    List<ApiToken> tokens = new ArrayList<>(a.tokens());
    tokens.add(t);
    save(replace(a.withTokens(tokens)));
    audit(account, "create token", "token " + t.id() + " (" + tokenName + ")");
    return Outcome.done(new NewToken(t, token));
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
    if (!token.startsWith(TOKEN_PREFIX)) {
      return null;
    }
    String owner = tokenOwners.get(sha256(token));
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

  /** Creates an account. */
  public Outcome<Account> create(String actor, String name, @Nullable Role role, String password)
      throws IOException {
    String problem = nameProblem(name);
    if (problem == null && role == null) {
      problem = "role: (expected: admin, operator, viewer or developer)";
    }
    if (problem == null) {
      problem = passwordProblem(password, name);
    }
    if (problem != null || role == null) {
      return Outcome.refused(400, "account-invalid", String.valueOf(problem));
    }
    if (accounts.containsKey(name)) {
      return Outcome.refused(409, "account-exists", "An account " + name + " exists.");
    }
    String hash = hash(password);
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
      String problem = passwordProblem(password, name);
      if (problem != null) {
        return Outcome.refused(400, "account-invalid", problem);
      }
    }
    String hash = password == null ? null : hash(password);
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
      endSessions(name, null);
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
    endSessions(name, null);
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

  /** What is wrong with a password, or null. */
  static @Nullable String passwordProblem(String password, String name) {
    if (password.length() < MIN_PASSWORD) {
      return "password: (expected: at least " + MIN_PASSWORD + " characters)";
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      return "password: (expected: at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8)";
    }
    if (password.equalsIgnoreCase(name)) {
      return "password: (expected: other than the account name)";
    }
    return null;
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }

  // ---- internals

  private Session newSession(String account, String address, String userAgent) {
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
        new Session(randomText(32), randomHex(8), account, randomText(32), now, address, ua);
    sessions.put(s.secret(), s);
    return s;
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastSeen().plus(config.sessionIdle()))
        || !now.isBefore(s.created().plus(config.sessionMax()));
  }

  private void endSessions(String account, @Nullable Session keep) {
    sessions.values().removeIf(s -> s.account().equals(account) && (keep == null || s != keep));
  }

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

  private static @Nullable Duration longer(@Nullable Duration a, @Nullable Duration b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }

  private String hash(String password) {
    return BCrypt.hashpw(password, BCrypt.gensalt(BCRYPT_COST, random));
  }

  private static boolean check(String password, String hash) {
    try {
      return BCrypt.checkpw(password, hash);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private String randomText(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
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
    ObjectNode root = JSON.createObjectNode();
    root.put("format", 1);
    ArrayNode list = root.putArray("accounts");
    for (Account a : next.values()) {
      ObjectNode o = list.addObject();
      o.put("name", a.name());
      o.put("role", a.role().text());
      o.put("password", a.passwordHash());
      o.put("created", a.created().toString());
      o.put("password_changed", a.passwordChanged().toString());
      ArrayNode tokens = o.putArray("tokens");
      for (ApiToken t : a.tokens()) {
        ObjectNode tn = tokens.addObject();
        tn.put("id", t.id());
        tn.put("name", t.name());
        tn.put("sha256", t.digest());
        tn.put("created", t.created().toString());
      }
    }
    store.putDocument(DOCUMENT, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    accounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(next));
    indexTokens();
  }

  private void read() throws IOException {
    Map<String, Account> read = new LinkedHashMap<>();
    Optional<byte[]> doc = store.document(DOCUMENT);
    if (doc.isEmpty()) {
      return;
    }
    JsonNode root = JSON.readTree(doc.get());
    if (root == null || root.path("format").asInt() != 1 || !root.path("accounts").isArray()) {
      throw new IOException("accounts.json: not an accounts document of this version");
    }
    for (JsonNode o : root.get("accounts")) {
      Role role = Role.of(o.path("role").asText());
      if (role == null) {
        throw new IOException("accounts.json: " + o.path("name") + ": unknown role");
      }
      List<ApiToken> tokens = new ArrayList<>();
      for (JsonNode t : o.path("tokens")) {
        tokens.add(
            new ApiToken(
                t.path("id").asText(),
                t.path("name").asText(),
                t.path("sha256").asText(),
                Instant.parse(t.path("created").asText())));
      }
      Account a =
          new Account(
              o.path("name").asText(),
              role,
              o.path("password").asText(),
              Instant.parse(o.path("created").asText()),
              Instant.parse(o.path("password_changed").asText()),
              tokens);
      read.put(a.name(), a);
    }
    accounts = java.util.Collections.unmodifiableMap(read);
    indexTokens();
  }

  private void indexTokens() {
    Map<String, String> owners = new HashMap<>();
    for (Account a : accounts.values()) {
      for (ApiToken t : a.tokens()) {
        owners.put(t.digest(), a.name());
      }
    }
    tokenOwners = Map.copyOf(owners);
  }
}
