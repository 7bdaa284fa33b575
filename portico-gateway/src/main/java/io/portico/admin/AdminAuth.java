package io.portico.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.portico.accounts.Account;
import io.portico.accounts.Accounts;
import io.portico.accounts.Role;
import io.portico.accounts.Session;
import io.portico.config.AdminConfig;
import io.portico.config.ConfigParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling the admin API, in this order:
 *
 * <ol>
 *   <li>a bearer token of the config: {@code admin.token} (the read-write token named {@code
 *       admin}) and {@code admin.tokens} (SHA-256 hashes, each with a role); read-write acts as the
 *       {@code admin} role, read-only as {@code viewer}. Every comparison is constant-time and
 *       every token is compared, so the time taken does not tell which token was close;
 *   <li>a bearer token of an account ({@code ptk_...}), acting with the account's role now;
 *   <li>the console's session cookie ({@value #COOKIE}), acting with the account's role now.
 * </ol>
 *
 * Without any config token and without any account (a loopback listener, as before accounts
 * existed), every caller is {@code anonymous} with the {@code admin} role. The first account ends
 * that: from then on every call needs a token or a session.
 *
 * <p>Immutable apart from the accounts it reads; shared by the admin connections.
 */
final class AdminAuth {

  /** The session cookie's name. */
  static final String COOKIE = "portico_session";

  /** How the caller proved who it is. */
  enum Kind {
    CONFIG_TOKEN,
    ACCOUNT_TOKEN,
    SESSION,
    ANONYMOUS;

    String text() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * An authenticated caller: a name (for the audit log), its role, how it signed in, and its
   * session when it came with the console's cookie.
   *
   * @param account the account's name, null for config tokens and anonymous callers
   */
  record Caller(
      String name, Role role, Kind kind, @Nullable String account, @Nullable Session session) {

    /** Whether the caller may change config objects, and so sees them unredacted. */
    boolean canWrite() {
      return role.writesConfig();
    }

    /** The sentence of a 403 for a write. */
    String readOnly() {
      return kind == Kind.CONFIG_TOKEN
          ? "The token " + name + " is read-only."
          : "The account " + name + " has the role " + role.text() + ", which may only read.";
    }
  }

  private record Known(String name, byte[] digest, AdminConfig.Role role) {}

  private static final Caller ANONYMOUS =
      new Caller("anonymous", Role.ADMIN, Kind.ANONYMOUS, null, null);

  private final List<Known> tokens;
  private final @Nullable Accounts accounts;
  private final boolean exposed;

  private AdminAuth(List<Known> tokens, @Nullable Accounts accounts, boolean exposed) {
    this.tokens = tokens;
    this.accounts = accounts;
    this.exposed = exposed;
  }

  /**
   * The callers of the portal's own listener: accounts only (sessions and account tokens), never
   * the config's tokens and never anonymous, even before the first account exists.
   */
  static AdminAuth portal(@Nullable Accounts accounts) {
    return new AdminAuth(List.of(), accounts, true);
  }

  static AdminAuth of(AdminConfig config, @Nullable Accounts accounts) {
    List<Known> known = new ArrayList<>();
    if (config.token() != null) {
      known.add(
          new Known(
              ConfigParser.ADMIN_TOKEN_NAME, sha256(config.token()), AdminConfig.Role.READ_WRITE));
    }
    for (AdminConfig.Token t : config.tokens()) {
      known.add(
          new Known(
              t.name(), HexFormat.of().parseHex(t.hash().substring("sha256:".length())), t.role()));
    }
    return new AdminAuth(List.copyOf(known), accounts, false);
  }

  static AdminAuth of(AdminConfig config) {
    return of(config, null);
  }

  /** Whether requests need a token or a session. */
  boolean required() {
    return exposed || !tokens.isEmpty() || (accounts != null && !accounts.empty());
  }

  /** The caller of {@code req}, or null when credentials are required and none is valid. */
  @Nullable Caller caller(FullHttpRequest req) {
    if (!required()) {
      return ANONYMOUS;
    }
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = auth.substring(7).trim();
      byte[] given = sha256(token);
      Caller found = null;
      for (Known k : tokens) {
        if (MessageDigest.isEqual(given, k.digest()) && found == null) {
          Role role = k.role() == AdminConfig.Role.READ_WRITE ? Role.ADMIN : Role.VIEWER;
          found = new Caller(k.name(), role, Kind.CONFIG_TOKEN, null, null);
        }
      }
      if (found == null && accounts != null) {
        Account a = accounts.tokenAccount(token);
        if (a != null) {
          found = new Caller(a.name(), a.role(), Kind.ACCOUNT_TOKEN, a.name(), null);
        }
      }
      return found;
    }
    Session s = session(req);
    if (s != null && accounts != null) {
      Account a = accounts.account(s.account());
      if (a != null) {
        return new Caller(a.name(), a.role(), Kind.SESSION, a.name(), s);
      }
    }
    return null;
  }

  /** The live session named by the request's cookie, or null. */
  @Nullable Session session(FullHttpRequest req) {
    if (accounts == null) {
      return null;
    }
    for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
        if (c.name().equals(COOKIE)) {
          Session s = accounts.session(c.value());
          if (s != null) {
            return s;
          }
        }
      }
    }
    return null;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
