package io.portico.plugins.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import io.netty.util.AsciiString;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authenticator;
import io.portico.plugins.auth.AuthenticatorFactory;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code jwt}: authenticates requests that carry a signed JWT, in ACCESS.
 *
 * <p>An {@link AuthenticatorFactory}: results go through {@link
 * io.portico.plugins.auth.Authentication} like every other authentication method's, and {@code
 * multi-auth} can combine it with them.
 *
 * <p>Per request: {@link TokenSource} finds the token (none, or an {@code Authorization} header of
 * another scheme: no credential, so 401 with a bare challenge or the {@code anonymous} consumer);
 * {@link JwtVerifier} checks it with static keys or the cached JWKS on the event loop. When the
 * token's JWKS has no key for it, the {@link JwksCache} (shared across reloads) refreshes the set
 * at most once per {@code min-refresh-interval} and the exchange waits for that without blocking;
 * if there are still no keys at all the answer is 503, never 401. A valid token then must carry the
 * required scopes and roles (else 403 {@code insufficient_scope}); its identity goes on the
 * exchange under {@link Identity#KEY} and upstream in the shared identity headers, with the claims
 * chosen in {@code claims-to-headers}.
 */
public final class JwtFactory implements AuthenticatorFactory<JwtConfig> {

  static final String NAME = "jwt";
  static final String SHARED_JWKS = "auth.token.jwks";

  private static final Set<String> ALGORITHMS =
      Set.of(
          "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
          "ES384", "ES512", "EdDSA", "Ed25519");

  private final Clock clock;

  public JwtFactory() {
    this(Clock.systemUTC());
  }

  JwtFactory(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2100;
  }

  @Override
  public @Nullable JwtConfig parse(ConfigReader r) {
    Problems problems = r.problems();
    TokenSource source = TokenSource.parse(r);
    Set<JWSAlgorithm> algorithms = algorithms(r);
    List<JwtConfig.Issuer> issuers = issuers(r, algorithms);
    Set<String> audiences = new LinkedHashSet<>(r.strings("audiences"));
    Duration skew = clockSkew(r);
    boolean requireExp = r.bool("require-exp", true);
    RequiredWords scopes = words(r, "scopes", List.of("scope", "scp"));
    RequiredWords roles = words(r, "roles", List.of("roles"));
    String consumerClaim = r.string("consumer-claim", null);
    boolean requireConsumer = r.bool("require-consumer", false);
    if (requireConsumer && consumerClaim == null) {
      r.expected("require-consumer", "false unless consumer-claim is set");
    }
    Map<String, AsciiString> headers = claimHeaders(r);
    JwtConfig.Jwks fetch = JwtConfig.Jwks.parse(r.object("jwks"));
    String realm = r.string("realm", "portico");
    Duration verifiedTtl =
        r.duration("verified-cache-ttl", Duration.ofMinutes(1), Duration.ZERO, Duration.ofDays(1));
    int verifiedSize = r.integer("verified-cache-size", 10_000, 0, 10_000_000);
    r.finish();
    if (!problems.isEmpty()) {
      return null; // some values above are stand-ins that cannot be built on
    }
    return new JwtConfig(
        source,
        algorithms,
        issuers,
        audiences,
        skew,
        requireExp,
        scopes,
        roles,
        consumerClaim,
        requireConsumer,
        headers,
        fetch,
        realm,
        verifiedTtl,
        verifiedSize);
  }

  static Set<JWSAlgorithm> algorithms(ConfigReader r) {
    Set<JWSAlgorithm> out = new LinkedHashSet<>();
    ConfigNode node = r.required("algorithms", "a list of signature algorithms such as [RS256]");
    if (node == null) {
      return out;
    }
    List<ConfigNode> items = node.isList() ? node.items() : List.of(node);
    for (ConfigNode item : items) {
      if (!item.isScalar() || !ALGORITHMS.contains(item.text())) {
        r.problems()
            .expected(item, "one of " + String.join(", ", new java.util.TreeSet<>(ALGORITHMS)));
      } else {
        out.add(JWSAlgorithm.parse(item.text()));
      }
    }
    if (items.isEmpty()) {
      r.problems().expected(node, "at least one algorithm");
    }
    return out;
  }

  private static List<JwtConfig.Issuer> issuers(ConfigReader r, Set<JWSAlgorithm> algorithms) {
    List<JwtConfig.Issuer> out = new ArrayList<>();
    ConfigNode node = r.required("issuers", "a list of issuers");
    if (node == null) {
      return out;
    }
    if (!node.isList() || node.items().isEmpty()) {
      r.problems().expected(node, "a non-empty list of issuers");
      return out;
    }
    Set<String> seen = new java.util.HashSet<>();
    for (ConfigNode item : node.items()) {
      ConfigReader ir = ConfigReader.of(item, r.problems());
      String issuer = ir.requiredString("issuer", "the exact iss value of its tokens");
      if (issuer != null && !seen.add(issuer)) {
        ir.expected("issuer", "an issuer listed once");
      }
      JWKSet keys = StaticKeys.read(ir);
      URI jwks = ir.value("jwks-url", null, "an http or https URL", JwtFactory::httpUri);
      if (keys != null && jwks != null) {
        r.problems()
            .at(item, "both static keys and jwks-url (expected: one source of keys per issuer)");
      }
      ir.finish();
      if (keys != null) {
        checkKeyFamilies(r, item, keys, algorithms);
      }
      if (issuer != null) { // else reported above
        out.add(new JwtConfig.Issuer(issuer, keys, jwks));
      }
    }
    return out;
  }

  /** An HMAC secret without an HS* algorithm (or the reverse) is a config mistake: report it. */
  private static void checkKeyFamilies(
      ConfigReader r, ConfigNode where, JWKSet keys, Set<JWSAlgorithm> algorithms) {
    boolean hmacAlg = algorithms.stream().anyMatch(JWSAlgorithm.Family.HMAC_SHA::contains);
    boolean hmacKey =
        keys.getKeys().stream().anyMatch(k -> k instanceof com.nimbusds.jose.jwk.OctetSequenceKey);
    if (hmacKey && !hmacAlg) {
      r.problems()
          .at(where, "an HMAC secret (expected: algorithms to include HS256, HS384 or HS512)");
    }
  }

  static @Nullable URI httpUri(String text, ConfigNode node) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme();
      return ("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null
          ? uri
          : null;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  /** {@code clock-skew}: the leeway on {@code exp}, {@code nbf} and {@code iat}, up to a day. */
  static Duration clockSkew(ConfigReader r) {
    return r.duration("clock-skew", Duration.ofSeconds(30), Duration.ZERO, Duration.ofDays(1));
  }

  static RequiredWords words(ConfigReader r, String key, List<String> defaultClaims) {
    ConfigNode node = r.child(key);
    if (node == null) {
      return new RequiredWords(defaultClaims, Set.of(), true);
    }
    if (node.isList() || node.isScalar()) {
      List<String> required = new ArrayList<>();
      for (ConfigNode item : node.isList() ? node.items() : List.of(node)) {
        if (item.isScalar()) {
          required.add(item.text());
        } else {
          r.problems().expected(item, "a string");
        }
      }
      return new RequiredWords(defaultClaims, Set.copyOf(required), true);
    }
    ConfigReader wr = ConfigReader.of(node, r.problems());
    List<String> required = wr.strings("required");
    boolean all = wr.oneOf("match", "all", List.of("all", "any")).equals("all");
    List<String> claims = wr.has("claims") ? wr.strings("claims") : defaultClaims;
    wr.finish();
    return new RequiredWords(claims, Set.copyOf(required), all);
  }

  static Map<String, AsciiString> claimHeaders(ConfigReader r) {
    Map<String, AsciiString> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : r.stringMap("claims-to-headers").entrySet()) {
      String header = e.getValue();
      if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        ConfigNode section = r.child("claims-to-headers");
        ConfigNode at = section == null ? null : section.fields().get(e.getKey());
        r.problems().at(at != null ? at : r.node(), header + " (expected: a header name)");
      } else {
        out.put(e.getKey(), AsciiString.of(header).toLowerCase());
      }
    }
    return out;
  }

  @Override
  public AuthSettings settings(JwtConfig config) {
    return config.source().auth();
  }

  @Override
  public Set<String> credentialHeaders(JwtConfig config) {
    return config.source().headerNames();
  }

  @Override
  public Set<String> credentialQueryParameters(JwtConfig config) {
    return config.source().queryNames();
  }

  @Override
  public Authenticator authenticator(JwtConfig config, PluginContext context) {
    JwksCache cache = context.shared(SHARED_JWKS, JwksCache.class, JwksCache::new);
    JwtVerifier verifier = new JwtVerifier(config, consumerKeys(context.consumers()), clock);
    for (JwtConfig.Issuer issuer : config.issuers()) {
      if (issuer.jwksUrl() != null && cache.keys(issuer.jwksUrl()) == null) {
        cache.refresh(
            issuer.jwksUrl(), config.jwks().minRefreshInterval(), config.jwks().timeout());
      }
    }
    return new JwtAuthenticator(config, verifier, cache, NAME);
  }

  /**
   * The consumers with a {@code credentials.jwt} entry: {@code key} (the value of the consumer
   * claim) and optionally their own {@code secret} or {@code public-key}.
   */
  static Map<String, JwtVerifier.ConsumerKey> consumerKeys(List<ConsumerSpec> consumers) {
    Map<String, JwtVerifier.ConsumerKey> out = new HashMap<>();
    for (ConsumerSpec consumer : consumers) {
      ConfigNode node = consumer.credentials().get(NAME);
      if (node == null) {
        continue;
      }
      Problems problems = new Problems();
      List<ConfigNode> entries = node.isList() ? node.items() : List.of(node);
      for (ConfigNode entry : entries) {
        ConfigReader cr = ConfigReader.of(entry, problems);
        String key = cr.requiredString("key", "the value of the consumer claim for this consumer");
        JWKSet keys = StaticKeys.read(cr);
        cr.finish();
        if (key != null && out.containsKey(key)) {
          cr.expected("key", "a key used by one consumer only");
        }
        if (key != null) {
          out.put(key, new JwtVerifier.ConsumerKey(consumer, keys));
        }
      }
      if (problems.size() > 0) {
        throw new IllegalArgumentException(problems.toString());
      }
    }
    return out;
  }
}
