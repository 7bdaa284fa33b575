package io.portico.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
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
 * Who is calling the admin API: the bearer token of a request matched against {@code admin.token}
 * (the read-write token named {@code admin}) and {@code admin.tokens} (stored as SHA-256 hashes,
 * each with a role). Every comparison is constant-time and every token is compared, so the time
 * taken does not tell which token was close. Without any token configured (a loopback listener),
 * every caller is {@code anonymous} with the read-write role.
 *
 * <p>Immutable; shared by the admin connections.
 */
final class AdminAuth {

  /** An authenticated caller: the token's name (for the audit log) and its role. */
  record Caller(String name, AdminConfig.Role role) {
    boolean canWrite() {
      return role == AdminConfig.Role.READ_WRITE;
    }
  }

  private record Known(String name, byte[] digest, AdminConfig.Role role) {}

  private static final Caller ANONYMOUS = new Caller("anonymous", AdminConfig.Role.READ_WRITE);

  private final List<Known> tokens;

  private AdminAuth(List<Known> tokens) {
    this.tokens = tokens;
  }

  static AdminAuth of(AdminConfig config) {
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
    return new AdminAuth(List.copyOf(known));
  }

  /** Whether requests need a token. */
  boolean required() {
    return !tokens.isEmpty();
  }

  /** The caller of {@code req}, or null when a token is required and none matches. */
  @Nullable Caller caller(FullHttpRequest req) {
    if (tokens.isEmpty()) {
      return ANONYMOUS;
    }
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    byte[] given = sha256(auth.substring(7).trim());
    Caller found = null;
    for (Known k : tokens) {
      if (MessageDigest.isEqual(given, k.digest()) && found == null) {
        found = new Caller(k.name(), k.role());
      }
    }
    return found;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
