package io.portico.plugins.auth.hmac;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * {@code hmac-auth}: authenticates signed requests, in the draft-cavage HTTP signature form used by
 * Kong:
 *
 * <pre>
 * Authorization: hmac username="alice", algorithm="hmac-sha256",
 *                headers="date request-line digest", signature="&lt;base64&gt;"
 * </pre>
 *
 * <p>The signing string is one line per name in {@code headers}: {@code request-line} is {@code
 * METHOD /path?query HTTP/1.1} as received, any other name is {@code name: value} (lower-case name,
 * the header's values joined with {@code ", "}), lines joined with {@code \n}. The signature is the
 * base64 HMAC of that string with the consumer's secret.
 *
 * <p>A signature must cover {@code date} or {@code x-date}, whose time must be within {@code
 * clock-skew} of the gateway's clock, so a captured request cannot be replayed later, and every
 * header of {@code enforce-headers}. The signature is compared in constant time ({@link
 * MessageDigest#isEqual}).
 *
 * <p>With {@code validate-request-body}, a {@code Digest} header ({@code SHA-256=} or {@code
 * SHA-512=} and a base64 digest of the right length) must be present and signed, and once the
 * signature verifies the body is read ({@link Exchange#requestBody}, at most {@code max-body-size}
 * bytes, else 413), hashed with the algorithm the header names and compared with it in constant
 * time: a body that does not match is refused like a wrong signature (401), and nothing reaches the
 * upstream. A body is read only for a request whose signature is valid.
 */
public final class HmacAuthFactory
    implements AuthenticatorFactory<HmacAuthConfig>, CredentialChecker {

  static final String NAME = "hmac-auth";
  static final Map<String, String> ALGORITHMS =
      Map.of(
          "hmac-sha1", "HmacSHA1",
          "hmac-sha256", "HmacSHA256",
          "hmac-sha384", "HmacSHA384",
          "hmac-sha512", "HmacSHA512");
  private static final Pattern PARAM = Pattern.compile("\\s*([a-zA-Z]+)=\"([^\"]*)\"\\s*(,|$)");
  private static final Pattern DIGEST =
      Pattern.compile("(?i)(SHA-256=[A-Za-z0-9+/]{43}=|SHA-512=[A-Za-z0-9+/]{86}==)");
  private static final String CREDENTIAL_RULE = "an object {username: <name>, secret: <secret>}";
  private static final long DEFAULT_MAX_BODY_SIZE = 1L << 20;
  private static final long MAX_BODY_SIZE_LIMIT = 1L << 30;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2030;
  }

  @Override
  public HmacAuthConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    Duration skew =
        config.duration("clock-skew", Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(1));
    Set<String> algorithms = new LinkedHashSet<>();
    if (config.has("algorithms")) {
      for (String a : config.strings("algorithms")) {
        if (ALGORITHMS.containsKey(a)) {
          algorithms.add(a);
        } else {
          config.expected(
              "algorithms", "a list of hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512");
        }
      }
    } else {
      algorithms.addAll(List.of("hmac-sha256", "hmac-sha384", "hmac-sha512"));
    }
    List<String> enforce = new ArrayList<>();
    for (String h : config.strings("enforce-headers")) {
      enforce.add(h.toLowerCase(Locale.ROOT));
    }
    boolean body = config.bool("validate-request-body", false);
    if (body && !enforce.contains("digest")) {
      enforce.add("digest");
    }
    long maxBodySize = config.size("max-body-size", DEFAULT_MAX_BODY_SIZE, 1, MAX_BODY_SIZE_LIMIT);
    String realm = config.string("realm", "portico");
    AuthSettings auth = AuthSettings.parse(config);
    return new HmacAuthConfig(
        skew, Set.copyOf(algorithms), List.copyOf(enforce), body, maxBodySize, realm, auth);
  }

  @Override
  public void checkCredentials(ConfigNode credentials, Problems problems) {
    readCredentials(credentials, problems);
  }

  private record Secret(String username, byte[] secret) {}

  private static List<Secret> readCredentials(ConfigNode node, Problems problems) {
    List<Secret> out = new ArrayList<>();
    for (ConfigNode item : Consumers.items(node, problems, CREDENTIAL_RULE)) {
      ConfigReader r = ConfigReader.of(item, problems);
      String username = r.requiredString("username", "a user name");
      ConfigNode secret = r.required("secret", "a secret of at least 16 characters");
      r.finish();
      if (secret != null && !(secret.isScalar() && secret.scalarText().length() >= 16)) {
        problems.at(secret, "(expected: a secret of at least 16 characters)");
        secret = null;
      }
      if (username != null && secret != null) {
        out.add(new Secret(username, secret.scalarText().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  @Override
  public AuthSettings settings(HmacAuthConfig config) {
    return config.auth();
  }

  @Override
  public Authenticator authenticator(HmacAuthConfig config, PluginContext context) {
    Map<String, User> users =
        Consumers.index(
            Consumers.credentials(context, NAME, HmacAuthFactory::readCredentials),
            Secret::username,
            c ->
                new User(
                    c.value().secret(),
                    Consumers.identity(c.consumer(), c.value().username(), NAME, false)),
            secret -> NAME + " user name \"" + secret.username() + "\"",
            "every user name unique");
    return new HmacAuthenticator(config, users);
  }

  private record User(byte[] secret, Identity identity) {}

  /** Parses the {@code hmac} authorization, rebuilds the signing string and checks it. */
  private static final class HmacAuthenticator implements Authenticator {

    private final HmacAuthConfig config;
    private final Map<String, User> users;
    private final String challenge;

    HmacAuthenticator(HmacAuthConfig config, Map<String, User> users) {
      this.config = config;
      this.users = users;
      StringBuilder c =
          new StringBuilder("hmac realm=").append(Authentication.quote(config.realm()));
      c.append(", algorithm=")
          .append(
              Authentication.quote(String.join(" ", new java.util.TreeSet<>(config.algorithms()))));
      List<String> required = new ArrayList<>();
      required.add("date");
      required.addAll(config.enforceHeaders());
      c.append(", headers=").append(Authentication.quote(String.join(" ", required)));
      this.challenge = c.toString();
    }

    @Override
    public AuthResult authenticate(Exchange exchange) {
      HttpRequest request = exchange.request();
      String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
      if (header == null || header.length() < 5 || !header.regionMatches(true, 0, "hmac ", 0, 5)) {
        return AuthResult.none();
      }
      Map<String, String> params = params(header.substring(5));
      if (params == null) {
        return AuthResult.invalid("invalid_request", AuthFailure.HMAC_MALFORMED);
      }
      String username = params.get("username");
      String algorithm = params.get("algorithm");
      String signature = params.get("signature");
      List<String> signed =
          List.of(
              params.getOrDefault("headers", "date").toLowerCase(Locale.ROOT).trim().split(" +"));
      if (username == null || signature == null || algorithm == null) {
        return AuthResult.invalid("invalid_request", AuthFailure.HMAC_MALFORMED);
      }
      if (!config.algorithms().contains(algorithm.toLowerCase(Locale.ROOT))) {
        return AuthResult.invalid("invalid_request", AuthFailure.HMAC_ALGORITHM_NOT_ALLOWED);
      }
      if (!signed.containsAll(config.enforceHeaders())
          || !(signed.contains("date") || signed.contains("x-date"))) {
        return AuthResult.invalid("invalid_request", AuthFailure.HMAC_HEADERS_NOT_SIGNED);
      }
      HttpHeaders headers = request.headers();
      if (!fresh(headers, signed)) {
        return AuthResult.invalid(null, AuthFailure.HMAC_DATE_SKEW);
      }
      if (config.validateRequestBody() && !digestWellFormed(headers)) {
        return AuthResult.invalid(null, AuthFailure.HMAC_DIGEST_MALFORMED);
      }
      String signingString = signingString(request, signed);
      if (signingString == null) {
        return AuthResult.invalid("invalid_request", AuthFailure.HMAC_HEADERS_NOT_SIGNED);
      }
      User user = users.get(username);
      byte[] presented;
      try {
        presented = Base64.getDecoder().decode(signature);
      } catch (IllegalArgumentException e) {
        return AuthResult.invalid(null, AuthFailure.HMAC_MALFORMED);
      }
      byte[] expected =
          sign(
              Objects.requireNonNull(ALGORITHMS.get(algorithm.toLowerCase(Locale.ROOT))),
              user == null ? new byte[32] : user.secret(),
              signingString);
      if (!MessageDigest.isEqual(expected, presented) || user == null) {
        return AuthResult.invalid(
            null,
            user == null ? AuthFailure.HMAC_USER_UNKNOWN : AuthFailure.HMAC_SIGNATURE_INVALID);
      }
      if (config.validateRequestBody()) {
        return checkBody(exchange, headers.get("digest").trim(), user.identity());
      }
      return new AuthResult.Authenticated(user.identity());
    }

    /**
     * Reads the body and compares its digest with {@code digest} ({@code SHA-256=<base64>} or
     * {@code SHA-512=<base64>}, already checked to be well formed). When the body cannot be read
     * (too large, stalled, the client gone) the gateway answers and the stage fails.
     */
    private AuthResult checkBody(Exchange exchange, String digest, Identity identity) {
      int eq = digest.indexOf('=');
      String algorithm = digest.substring(0, eq).toUpperCase(Locale.ROOT);
      byte[] claimed = Base64.getDecoder().decode(digest.substring(eq + 1));
      return new AuthResult.Pending(
          exchange
              .requestBody(config.maxBodySize())
              .thenApply(
                  body ->
                      MessageDigest.isEqual(digest(algorithm, body), claimed)
                          ? new AuthResult.Authenticated(identity)
                          : AuthResult.invalid(null, AuthFailure.HMAC_DIGEST_MISMATCH)));
    }

    static byte[] digest(String algorithm, ByteBuf body) {
      MessageDigest md;
      try {
        md = MessageDigest.getInstance(algorithm);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(algorithm + " is required by the Java platform", e);
      }
      for (ByteBuffer part : body.nioBuffers()) {
        md.update(part);
      }
      return md.digest();
    }

    /**
     * Whether the signed date ({@code x-date} when signed, else {@code date}) is within the clock
     * skew. An unsigned date is never trusted: it could be replaced on a replayed request.
     */
    private boolean fresh(HttpHeaders headers, List<String> signed) {
      List<String> values = headers.getAll(signed.contains("x-date") ? "x-date" : "date");
      String value = values.size() == 1 ? values.get(0) : null;
      Date date = value == null ? null : DateFormatter.parseHttpDate(value);
      if (date == null) {
        return false;
      }
      long skew = Math.abs(System.currentTimeMillis() - date.getTime());
      return skew <= config.clockSkew().toMillis();
    }

    private static boolean digestWellFormed(HttpHeaders headers) {
      String digest = headers.get("digest");
      return digest != null && DIGEST.matcher(digest.trim()).matches();
    }

    /** The signing string, or null when a signed header is missing. */
    static @Nullable String signingString(HttpRequest request, List<String> signed) {
      StringBuilder out = new StringBuilder();
      for (String name : signed) {
        if (out.length() > 0) {
          out.append('\n');
        }
        if (name.equals("request-line")) {
          out.append(request.method().name())
              .append(' ')
              .append(request.uri())
              .append(' ')
              .append(request.protocolVersion().text());
          continue;
        }
        List<String> values = request.headers().getAll(name);
        if (values.isEmpty()) {
          return null;
        }
        out.append(name).append(": ").append(String.join(", ", values));
      }
      return out.toString();
    }

    static byte[] sign(String jcaName, byte[] secret, String signingString) {
      try {
        Mac mac = Mac.getInstance(jcaName);
        mac.init(new SecretKeySpec(secret, jcaName));
        return mac.doFinal(signingString.getBytes(StandardCharsets.UTF_8));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(jcaName + " is required by the Java platform", e);
      }
    }

    /** The {@code name="value"} parameters, or null when malformed or repeated. */
    private static @Nullable Map<String, String> params(String text) {
      Map<String, String> out = new LinkedHashMap<>();
      Matcher m = PARAM.matcher(text);
      int at = 0;
      while (at < text.length()) {
        if (!m.find(at) || m.start() != at) {
          return null;
        }
        if (out.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2)) != null) {
          return null;
        }
        at = m.end();
      }
      return out;
    }

    @Override
    public AuthFailure missing() {
      return AuthFailure.HMAC_MISSING;
    }

    @Override
    public String challenge(@Nullable String error) {
      return error == null ? challenge : challenge + ", error=" + Authentication.quote(error);
    }

    @Override
    public void hideCredentials(Exchange exchange) {
      exchange.request().headers().remove(HttpHeaderNames.AUTHORIZATION);
    }
  }
}
