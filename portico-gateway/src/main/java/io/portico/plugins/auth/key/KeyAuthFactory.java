package io.portico.plugins.auth.key;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
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
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code key-auth}: authenticates a consumer by an API key sent in a header or a query parameter.
 *
 * <p>Keys are stored hashed ({@link KeyHash}). At creation every consumer's key hashes go into a
 * map keyed by their hex form; a request's key is hashed, looked up, and confirmed with {@link
 * MessageDigest#isEqual}, so the time taken depends on neither the stored keys nor how much of the
 * presented key is right. A key whose {@code expires-at} has passed is refused as {@code
 * key_expired}, checked after the hash matched, so an unknown key and an expired one take the same
 * path until then. A header sent twice, or a key in two places, is refused as {@code
 * invalid_request}.
 */
public final class KeyAuthFactory
    implements AuthenticatorFactory<KeyAuthConfig>, CredentialChecker {

  static final String NAME = "key-auth";
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final String CREDENTIAL_RULE =
      "an object {key: sha256:<hex>, id: <optional id>, expires-at: <optional RFC 3339 time>}";

  /** The rule of {@code expires-at}. */
  static final String EXPIRES_AT_RULE =
      "an RFC 3339 date-time with its offset, such as 2027-01-31T00:00:00Z";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2250;
  }

  @Override
  public KeyAuthConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int before = problems.size(); // an empty rule set is reported only when nothing else is
    List<AsciiString> headers = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    boolean headersGiven = config.has("header-names");
    for (String name : config.strings("header-names")) {
      if (TOKEN.matcher(name).matches()) {
        headers.add(AsciiString.of(name.toLowerCase(java.util.Locale.ROOT)));
      } else {
        config.expected("header-names", "a list of header names");
      }
    }
    for (String name : config.strings("query-names")) {
      if (name.isEmpty()) {
        config.expected("query-names", "a list of non-empty parameter names");
      } else {
        queries.add(name);
      }
    }
    if (!headersGiven) {
      headers.add(AsciiString.cached("apikey"));
    }
    if (problems.size() == before && headers.isEmpty() && queries.isEmpty()) {
      problems.at(
          config.node(),
          "no place for the key (expected: header-names, query-names or both, not empty)");
    }
    String realm = config.string("realm", "portico");
    AuthSettings auth = AuthSettings.parse(config);
    return new KeyAuthConfig(List.copyOf(headers), List.copyOf(queries), realm, auth);
  }

  @Override
  public void checkCredentials(ConfigNode credentials, Problems problems) {
    readCredentials(credentials, problems);
  }

  /** A stored key: its digest, optional id and optional end of validity. */
  private record StoredKey(byte[] digest, @Nullable String id, @Nullable Instant expiresAt) {}

  private static List<StoredKey> readCredentials(ConfigNode node, Problems problems) {
    List<StoredKey> out = new ArrayList<>();
    for (ConfigNode item : Consumers.items(node, problems, CREDENTIAL_RULE)) {
      ConfigReader r = ConfigReader.of(item, problems);
      ConfigNode keyNode = r.required("key", KeyHash.RULE);
      String id = r.string("id", null);
      Instant expiresAt = null;
      ConfigNode expiresNode = r.child("expires-at");
      if (expiresNode != null) {
        expiresAt = expiresNode.isScalar() ? expiresAt(expiresNode.scalarText()) : null;
        if (expiresAt == null) {
          problems.expected(expiresNode, EXPIRES_AT_RULE);
        }
      }
      r.finish();
      if (keyNode == null) {
        continue;
      }
      byte[] digest = keyNode.isScalar() ? KeyHash.parse(keyNode.scalarText()) : null;
      if (digest == null) {
        problems.expected(keyNode, KeyHash.RULE);
      } else {
        out.add(new StoredKey(digest, id, expiresAt));
      }
    }
    return out;
  }

  /**
   * {@code text} as an RFC 3339 date-time with an offset ({@code Z} or {@code +02:00}), or null.
   */
  public static @Nullable Instant expiresAt(String text) {
    try {
      return OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public AuthSettings settings(KeyAuthConfig config) {
    return config.auth();
  }

  @Override
  public Set<String> credentialHeaders(KeyAuthConfig config) {
    Set<String> names = new HashSet<>();
    config.headerNames().forEach(n -> names.add(n.toString()));
    return names;
  }

  @Override
  public Set<String> credentialQueryParameters(KeyAuthConfig config) {
    return Set.copyOf(config.queryNames());
  }

  @Override
  public Authenticator authenticator(KeyAuthConfig config, PluginContext context) {
    Map<String, Entry> keys =
        Consumers.index(
            Consumers.credentials(context, NAME, KeyAuthFactory::readCredentials),
            key -> HexFormat.of().formatHex(key.digest()),
            c ->
                new Entry(
                    c.value().digest(),
                    Consumers.identity(c.consumer(), c.value().id(), NAME, false),
                    c.value().expiresAt() == null
                        ? Long.MAX_VALUE
                        : c.value().expiresAt().toEpochMilli()),
            key -> "the same key-auth key",
            "every key unique");
    return new KeyAuthenticator(config, keys);
  }

  /**
   * A key as the authenticator looks it up.
   *
   * @param expiresAtMillis when the key stops being accepted (epoch millis); {@link Long#MAX_VALUE}
   *     for a key without {@code expires-at}
   */
  private record Entry(byte[] digest, Identity identity, long expiresAtMillis) {}

  /** Finds the key in the configured places and looks its hash up. */
  private static final class KeyAuthenticator implements Authenticator {

    private final List<AsciiString> headerNames;
    private final List<String> queryNames;
    private final Map<String, Entry> keys;
    private final String challenge;
    private final String required;

    KeyAuthenticator(KeyAuthConfig config, Map<String, Entry> keys) {
      this.headerNames = config.headerNames();
      this.queryNames = config.queryNames();
      this.keys = keys;
      this.challenge = "Key realm=" + Authentication.quote(config.realm());
      this.required = keyRequired(config);
    }

    @Override
    public String requiredDetail() {
      return required;
    }

    @Override
    public AuthResult authenticate(Exchange exchange) {
      @Nullable String key = null;
      int found = 0;
      HttpHeaders headers = exchange.request().headers();
      for (AsciiString name : headerNames) {
        List<String> values = headers.getAll(name);
        found += values.size();
        if (!values.isEmpty()) {
          key = bearer(name, values.get(0));
        }
      }
      if (!queryNames.isEmpty()) {
        Map<String, List<String>> query = exchange.queryParameters();
        for (String name : queryNames) {
          List<String> values = query.get(name);
          if (values != null) {
            found += values.size();
            if (!values.isEmpty()) {
              key = values.get(0);
            }
          }
        }
      }
      if (found == 0) {
        return AuthResult.none();
      }
      if (found > 1 || key == null || key.isEmpty()) {
        return AuthResult.invalid("invalid_request", AuthFailure.KEY_MALFORMED);
      }
      byte[] digest = KeyHash.digest(key);
      Entry entry = keys.get(HexFormat.of().formatHex(digest));
      if (entry == null || !MessageDigest.isEqual(entry.digest(), digest)) {
        return AuthResult.invalid("invalid_token", AuthFailure.KEY_UNKNOWN);
      }
      if (System.currentTimeMillis() >= entry.expiresAtMillis()) {
        return AuthResult.invalid("invalid_token", AuthFailure.KEY_EXPIRED);
      }
      return new AuthResult.Authenticated(entry.identity());
    }

    /**
     * A key in {@code Authorization} is read after its {@code Bearer} scheme, as OpenAI-style
     * clients send it; any other header's value is the key.
     */
    private static String bearer(AsciiString name, String value) {
      if (name.contentEqualsIgnoreCase(HttpHeaderNames.AUTHORIZATION)
          && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return value.substring(7).trim();
      }
      return value;
    }

    @Override
    public AuthFailure missing() {
      return AuthFailure.KEY_MISSING;
    }

    @Override
    public String challenge(@Nullable String error) {
      return error == null ? challenge : challenge + ", error=" + Authentication.quote(error);
    }

    @Override
    public void hideCredentials(Exchange exchange) {
      HttpHeaders headers = exchange.request().headers();
      for (AsciiString name : headerNames) {
        headers.remove(name);
      }
      if (!queryNames.isEmpty()) {
        exchange.forwardPath(withoutParameters(exchange.forwardPath(), queryNames));
      }
    }
  }

  /**
   * The 401's detail on a key-auth route: where the route reads the key, such as {@code A valid API
   * key is required in the x-api-key header or the api_key query parameter.} Names only config.
   */
  static String keyRequired(KeyAuthConfig config) {
    List<String> places = new ArrayList<>();
    List<String> headers = new ArrayList<>();
    for (AsciiString name : config.headerNames()) {
      if (name.contentEqualsIgnoreCase(HttpHeaderNames.AUTHORIZATION)) {
        places.add("the Authorization header (Bearer <key>)");
      } else {
        headers.add(name.toString());
      }
    }
    if (!headers.isEmpty()) {
      places.add(0, "the " + either(headers) + (headers.size() == 1 ? " header" : " headers"));
    }
    if (!config.queryNames().isEmpty()) {
      places.add(
          "the "
              + either(config.queryNames())
              + (config.queryNames().size() == 1 ? " query parameter" : " query parameters"));
    }
    return "A valid API key is required in " + either(places) + ".";
  }

  /** {@code a}, {@code a or b}, {@code a, b or c}. */
  private static String either(List<String> items) {
    int n = items.size();
    return n <= 1
        ? String.join("", items)
        : String.join(", ", items.subList(0, n - 1)) + " or " + items.get(n - 1);
  }

  /** {@code pathAndQuery} without the query parameters named {@code names} (decoded, exact). */
  static String withoutParameters(String pathAndQuery, List<String> names) {
    int q = pathAndQuery.indexOf('?');
    if (q < 0) {
      return pathAndQuery;
    }
    StringBuilder out = new StringBuilder(pathAndQuery.length()).append(pathAndQuery, 0, q);
    char separator = '?';
    for (String pair : pathAndQuery.substring(q + 1).split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          QueryStringDecoder.decodeComponent(
              eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (!names.contains(name)) {
        out.append(separator).append(pair);
        separator = '&';
      }
    }
    return out.toString();
  }
}
