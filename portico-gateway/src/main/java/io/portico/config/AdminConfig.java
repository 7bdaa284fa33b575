package io.portico.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener.
 *
 * @param address null disables the admin listener
 * @param token required as {@code Authorization: Bearer <token>} when set (a read-write token named
 *     {@code admin}); a token or {@code tokens} are mandatory when the address is not a loopback
 *     address
 * @param allowedHosts host names (or IP literals) the admin API answers in {@code Host} besides the
 *     loopback names and the address it was reached on; lower-case, IPv6 literals in brackets
 * @param tokens named tokens stored as hashes, each with a role
 * @param store the directory of the admin API's objects and history; null when API writes are off
 * @param history how many versions of the API's objects the store keeps
 * @param console the web console and its accounts ({@code admin.console})
 */
public record AdminConfig(
    @Nullable InetSocketAddress address,
    @Nullable String token,
    List<String> allowedHosts,
    List<Token> tokens,
    @Nullable Path store,
    int history,
    ConsoleConfig console,
    Duration keyRotationGrace) {

  /** The versions kept when {@code admin.history} is not set. */
  public static final int DEFAULT_HISTORY = 100;

  /**
   * How long a key-auth key rotated through the admin API keeps working beside its replacement when
   * {@code admin.key-rotation-grace} is not set.
   */
  public static final Duration DEFAULT_KEY_ROTATION_GRACE = Duration.ofHours(1);

  /** What a token may do. */
  public enum Role {
    /** Every {@code GET}; secrets in objects are redacted. */
    READ_ONLY,
    /** Everything. */
    READ_WRITE
  }

  /**
   * A named admin token.
   *
   * @param hash {@code sha256:} and the hex SHA-256 of the token ({@code portico hash-key} prints
   *     it)
   */
  public record Token(String name, String hash, Role role) {}

  public AdminConfig {
    allowedHosts = List.copyOf(allowedHosts);
    tokens = List.copyOf(tokens);
  }

  public AdminConfig(
      @Nullable InetSocketAddress address,
      @Nullable String token,
      List<String> allowedHosts,
      List<Token> tokens,
      @Nullable Path store,
      int history) {
    this(
        address,
        token,
        allowedHosts,
        tokens,
        store,
        history,
        ConsoleConfig.DEFAULTS,
        DEFAULT_KEY_ROTATION_GRACE);
  }

  public AdminConfig(
      @Nullable InetSocketAddress address, @Nullable String token, List<String> allowedHosts) {
    this(address, token, allowedHosts, List.of(), null, DEFAULT_HISTORY);
  }

  public AdminConfig(@Nullable InetSocketAddress address, @Nullable String token) {
    this(address, token, List.of());
  }
}
