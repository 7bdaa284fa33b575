package io.portico.plugins.auth.basic;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthResult;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authentication;
import io.portico.plugins.auth.Authenticator;
import io.portico.plugins.auth.AuthenticatorFactory;
import io.portico.plugins.auth.Consumers;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.CredentialChecker;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * {@code basic-auth}: authenticates a consumer by {@code Authorization: Basic} user name and
 * password, checked against a bcrypt hash ({@code portico hash-password} prints one).
 *
 * <p>bcrypt costs tens of milliseconds of CPU by design, so it never runs on an event loop: a check
 * goes to the shared {@link BcryptPool} and the exchange waits ({@link AuthResult.Pending}). A
 * successful check is remembered for {@code cache-ttl} in a {@link CredentialCache}, keyed by an
 * HMAC of the credentials and the stored hash under a key that lives only in memory, so steady
 * traffic from a known client costs one lookup and no lookup compares a password. An unknown user
 * name is checked against a dummy hash, so it takes as long as a wrong password.
 */
public final class BasicAuthFactory
    implements AuthenticatorFactory<BasicAuthConfig>, CredentialChecker {

  static final String NAME = "basic-auth";
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  private static final String HASH_RULE =
      "a bcrypt hash such as $2a$10$... (portico hash-password)";
  private static final String CREDENTIAL_RULE =
      "an object {username: <name>, password: <bcrypt hash>}";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2100;
  }

  @Override
  public BasicAuthConfig parse(ConfigReader config) {
    String realm = config.string("realm", "portico");
    Duration ttl =
        config.duration("cache-ttl", Duration.ofMinutes(1), Duration.ZERO, Duration.ofDays(1));
    int size = config.integer("cache-size", 10_000, 0, 1_000_000);
    AuthSettings auth = AuthSettings.parse(config);
    return new BasicAuthConfig(realm, ttl, size, auth);
  }

  @Override
  public void checkCredentials(ConfigNode credentials, Problems problems) {
    readCredentials(credentials, problems);
  }

  private record StoredPassword(String username, String hash) {}

  private static List<StoredPassword> readCredentials(ConfigNode node, Problems problems) {
    List<StoredPassword> out = new ArrayList<>();
    for (ConfigNode item : Consumers.items(node, problems, CREDENTIAL_RULE)) {
      ConfigReader r = ConfigReader.of(item, problems);
      String username = r.requiredString("username", "a user name without ':'");
      ConfigNode password = r.required("password", HASH_RULE);
      r.finish();
      if (username != null && (username.isEmpty() || username.indexOf(':') >= 0)) {
        r.expected("username", "a user name without ':'");
        username = null;
      }
      if (password != null
          && !(password.isScalar() && BCRYPT.matcher(password.scalarText()).matches())) {
        problems.expected(password, HASH_RULE);
        password = null;
      }
      if (username != null && password != null) {
        out.add(new StoredPassword(username, password.scalarText()));
      }
    }
    return out;
  }

  @Override
  public AuthSettings settings(BasicAuthConfig config) {
    return config.auth();
  }

  @Override
  public Authenticator authenticator(BasicAuthConfig config, PluginContext context) {
    Map<String, User> users =
        Consumers.index(
            Consumers.credentials(context, NAME, BasicAuthFactory::readCredentials),
            StoredPassword::username,
            c ->
                new User(
                    c.value().hash(),
                    Consumers.identity(c.consumer(), c.value().username(), NAME, false)),
            stored -> NAME + " user name \"" + stored.username() + "\"",
            "every user name unique");
    BcryptPool pool = context.shared(BcryptPool.KEY, BcryptPool.class, BcryptPool::new);
    return new BasicAuthenticator(config, users, pool);
  }

  private record User(String hash, Identity identity) {}

  /**
   * Hashes that no password matches in practice, checked for unknown user names: one per bcrypt
   * cost, made once per process.
   */
  static final class DummyHash {
    private static final Map<Integer, String> BY_COST = new ConcurrentHashMap<>();

    /**
     * A dummy hash as costly as the costliest of {@code hashes} (at least 10), so an unknown user
     * name takes as long as a wrong password of those users.
     */
    static String matching(Collection<String> hashes) {
      int cost = 10;
      for (String hash : hashes) {
        cost = Math.max(cost, costOf(hash));
      }
      return BY_COST.computeIfAbsent(
          cost,
          c -> BCrypt.hashpw(Long.toHexString(new SecureRandom().nextLong()), BCrypt.gensalt(c)));
    }

    /** The cost of a {@code $2a$NN$...} hash; 10 when it cannot be read. */
    static int costOf(String hash) {
      if (hash.length() > 7 && hash.charAt(0) == '$' && hash.charAt(6) == '$') {
        try {
          int cost = Integer.parseInt(hash.substring(4, 6));
          if (cost >= 4 && cost <= 31) {
            return cost;
          }
        } catch (NumberFormatException e) {
          // not a bcrypt hash: the default below
        }
      }
      return 10;
    }
  }

  /** Reads the Basic credentials, then answers from the cache or checks bcrypt on the pool. */
  static final class BasicAuthenticator implements Authenticator {

    private final Map<String, User> users;
    private final BcryptPool pool;
    private final String challenge;
    private final CredentialCache cache;
    private final String dummyHash;

    BasicAuthenticator(BasicAuthConfig config, Map<String, User> users, BcryptPool pool) {
      this.users = users;
      this.pool = pool;
      this.challenge =
          "Basic realm=" + Authentication.quote(config.realm()) + ", charset=\"UTF-8\"";
      this.cache = new CredentialCache(config.cacheTtl(), config.cacheSize());
      // Made here, with the config, not on an event loop at the first unknown user name: it costs a
      // bcrypt hash.
      this.dummyHash = DummyHash.matching(users.values().stream().map(User::hash).toList());
    }

    @Override
    public AuthResult authenticate(Exchange exchange) {
      String header = exchange.request().headers().get(HttpHeaderNames.AUTHORIZATION);
      if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
        return AuthResult.none();
      }
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return AuthResult.invalid(null, AuthFailure.BASIC_MALFORMED);
      }
      int colon = decoded.indexOf(':');
      if (colon <= 0) {
        return AuthResult.invalid(null, AuthFailure.BASIC_MALFORMED);
      }
      String username = decoded.substring(0, colon);
      String password = decoded.substring(colon + 1);
      User user = users.get(username);
      String hash = user == null ? dummyHash : user.hash();
      String key = cache.enabled() ? cache.keyOf(decoded, hash) : null;
      Identity remembered = key == null ? null : cache.get(key);
      if (remembered != null) {
        return new AuthResult.Authenticated(remembered);
      }
      return new AuthResult.Pending(
          pool.submit(
              () -> {
                if (!checks(password, hash) || user == null) {
                  return AuthResult.invalid(
                      null,
                      user == null
                          ? AuthFailure.BASIC_USER_UNKNOWN
                          : AuthFailure.BASIC_PASSWORD_INVALID);
                }
                if (key != null) {
                  cache.put(key, user.identity());
                }
                return new AuthResult.Authenticated(user.identity());
              }));
    }

    private static boolean checks(String password, String hash) {
      try {
        return BCrypt.checkpw(password, hash);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    @Override
    public AuthFailure missing() {
      return AuthFailure.BASIC_MISSING;
    }

    @Override
    public String challenge(@Nullable String error) {
      return challenge;
    }

    @Override
    public void hideCredentials(Exchange exchange) {
      exchange.request().headers().remove(HttpHeaderNames.AUTHORIZATION);
    }
  }
}
