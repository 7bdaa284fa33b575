package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.plugin.SharedResources;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.snapshot.SnapshotCompiler;
import io.portico.spi.config.Problem;
import io.portico.spi.plugin.PluginContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checks of authentication configs: consumer credentials are reported by the config parser (so
 * {@code portico validate} sees them), cross-consumer checks when plugins are created.
 */
class AuthConfigTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  private final SharedResources shared = new SharedResources();

  @TempDir Path dir;

  private ConfigResult parse(String yaml) {
    return ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  private static final String ROUTE =
      """
      routes:
        - name: r
          paths: [ / ]
          plugins:
            mock: {}
      """;

  @Test
  void reportsAKeyThatIsNotStoredHashed() {
    ConfigResult result =
        parse(
            ROUTE
                + """
                consumers:
                  - name: alice
                    credentials:
                      key-auth: { key: plain-text-key }
                """);
    assertThat(problems(result))
        .singleElement()
        .asString()
        .contains("consumers[0].credentials.key-auth.key: \"plain-text-key\"")
        .contains("(expected: sha256: followed by 64 hex digits");
  }

  @Test
  void reportsAPasswordThatIsNotABcryptHashAndUnknownKeys() {
    ConfigResult result =
        parse(
            ROUTE
                + """
                consumers:
                  - name: alice
                    credentials:
                      basic-auth:
                        - { username: alice, password: hunter2 }
                        - { username: "a:b", password: "$2a$04$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0", pasword: x }
                """);
    assertThat(problems(result))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("basic-auth[0].password").contains("bcrypt"))
        .anySatisfy(p -> assertThat(p).contains("basic-auth[1].username"))
        .anySatisfy(p -> assertThat(p).contains("unknown key \"pasword\""));
  }

  @Test
  void reportsACredentialKindThatNamesNoPlugin() {
    ConfigResult result =
        parse(
            ROUTE
                + """
                consumers:
                  - name: alice
                    credentials:
                      kee-auth: { key: x }
                """);
    assertThat(problems(result))
        .singleElement()
        .asString()
        .contains("consumers[0].credentials.kee-auth")
        .contains("unknown credential kind");
  }

  @Test
  void acceptsWellFormedCredentials() {
    ConfigResult result =
        parse(
            ROUTE
                + """
                consumers:
                  - name: alice
                    credentials:
                      key-auth: [ { key: "%s", id: k1 }, { key: "%s" } ]
                      basic-auth: { username: alice, password: "$2a$04$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0" }
                """
                    .formatted(KeyHash.of("one"), KeyHash.of("two")));
    assertThat(problems(result)).isEmpty();
  }

  @Test
  void reportsAnAnonymousThatNamesNoConsumer() {
    ConfigResult result =
        parse(
            """
            services:
              - name: s
                targets: [ "127.0.0.1:9001" ]
                plugins:
                  basic-auth: { anonymous: guest }
            routes:
              - name: r
                paths: [ / ]
                service: s
                plugins:
                  key-auth: { anonymous: nobody }
                  multi-auth: { methods: { key-auth: {} }, anonymous: nobody-either }
              - name: t
                paths: [ /t ]
                service: s
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "https://issuer.test", jwks-url: "https://issuer.test/keys" } ]
                    anonymous: nobody-with-a-token
                  oauth2-introspection:
                    endpoint: "https://issuer.test/introspect"
                    client-id: gateway
                    client-secret: s3cret
                    anonymous: guest
              - name: o
                paths: [ /o ]
                service: s
                plugins:
                  openid-connect:
                    discovery: "https://issuer.test/.well-known/openid-configuration"
                    anonymous: nobody-with-oidc
            consumers:
              - name: guest
            """);
    assertThat(problems(result))
        .hasSize(4)
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("routes[2].plugins.openid-connect.anonymous: \"nobody-with-oidc\""))
        .anySatisfy(
            p -> assertThat(p).contains("routes[1].plugins.jwt.anonymous: \"nobody-with-a-token\""))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("routes[0].plugins.key-auth.anonymous: \"nobody\"")
                    .contains("(expected: the name of a consumer)"))
        .anySatisfy(p -> assertThat(p).contains("multi-auth.anonymous: \"nobody-either\""));
  }

  @Test
  void reportsAnHmacBodySizeThatIsZeroOrNotASize() {
    ConfigResult result =
        parse(
            """
            routes:
              - name: r
                paths: [ / ]
                plugins:
                  hmac-auth: { validate-request-body: true, max-body-size: 0 }
                  mock: {}
              - name: s
                paths: [ /s ]
                plugins:
                  hmac-auth: { validate-request-body: true, max-body-size: lots }
                  mock: {}
              - name: t
                paths: [ /t ]
                plugins:
                  hmac-auth: { validate-request-body: true, max-body-size: 256k }
                  mock: {}
            """);
    assertThat(problems(result))
        .hasSize(2)
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("routes[0].plugins.hmac-auth.max-body-size: \"0\"")
                    .contains("(expected: a size from 1 byte to 1g)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("routes[1].plugins.hmac-auth.max-body-size: \"lots\"")
                    .contains("(expected: a size such as 8192, 64k, 10MiB or 1g)"));
  }

  private static final String BCRYPT =
      "$2a$04$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0";

  /**
   * The config of one scheme on a route, and two consumers whose credentials of that kind are
   * {@code alice} and {@code bob}.
   */
  private SnapshotCompiler.Result compileWithCredentials(String scheme, String alice, String bob) {
    ConfigResult result =
        parse(
            """
            routes:
              - name: r
                paths: [ / ]
                plugins:
                  %s: {}
                  mock: {}
            consumers:
              - name: alice
                credentials: { %s: %s }
              - name: bob
                credentials: { %s: %s }
            """
                .formatted(scheme, scheme, alice, scheme, bob));
    assertThat(problems(result)).isEmpty();
    return new SnapshotCompiler(context()).compile(result.config());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "key-auth   | the same key-auth key is given to \"alice\" and \"bob\" (expected: every"
            + " key unique)",
        "basic-auth | basic-auth user name \"same\" is given to \"alice\" and \"bob\" (expected:"
            + " every user name unique)",
        "hmac-auth  | hmac-auth user name \"same\" is given to \"alice\" and \"bob\" (expected:"
            + " every user name unique)",
        "mtls-auth  | mtls-auth \"same.clients.test\" is given to \"alice\" and \"bob\""
            + " (expected: every certificate mapped to one consumer)"
      })
  void refusesACredentialGivenToTwoConsumersWhenCreatingPlugins(String scheme, String message) {
    String same = credential(scheme, "same");
    SnapshotCompiler.Result compiled = compileWithCredentials(scheme, same, same);
    assertThat(compiled.ok()).isFalse();
    assertThat(compiled.problems().render())
        .contains("routes[0].plugins." + scheme)
        .contains("consumers: " + message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"key-auth", "basic-auth", "hmac-auth", "mtls-auth"})
  void acceptsDistinctCredentialsAndOneConsumerListingItsCredentialTwice(String scheme) {
    String one = credential(scheme, "one");
    SnapshotCompiler.Result compiled =
        compileWithCredentials(scheme, "[ " + one + ", " + one + " ]", credential(scheme, "two"));
    assertThat(compiled.problems().render()).isEmpty();
    assertThat(compiled.ok()).isTrue();
  }

  /** A well-formed credential of {@code scheme} whose lookup key is made from {@code name}. */
  private static String credential(String scheme, String name) {
    return switch (scheme) {
      case "key-auth" -> "{ key: \"" + KeyHash.of(name) + "\" }";
      case "basic-auth" -> "{ username: " + name + ", password: \"" + BCRYPT + "\" }";
      case "hmac-auth" -> "{ username: " + name + ", secret: a-secret-of-16-chars }";
      case "mtls-auth" -> "{ subject-name: " + name + ".clients.test }";
      default -> throw new IllegalArgumentException(scheme);
    };
  }

  @Test
  void reportsMultiAuthMethodsThatAreUnknownOrCarryAnonymous() {
    ConfigResult result =
        parse(
            """
            routes:
              - name: r
                paths: [ / ]
                plugins:
                  multi-auth:
                    methods:
                      key-auth: { anonymous: guest }
                      jwt-auth: {}
                  mock: {}
            """);
    assertThat(problems(result))
        .hasSize(2)
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("multi-auth.methods.key-auth.anonymous")
                    .contains("on multi-auth itself"))
        .anySatisfy(
            p -> assertThat(p).contains("unknown method \"jwt-auth\"").contains("basic-auth"));
  }

  private PluginContext context() {
    return new PluginContext() {
      @Override
      public io.netty.channel.EventLoopGroup eventLoops() {
        return null;
      }

      @Override
      public String configSource() {
        return "portico.yaml";
      }

      @Override
      public <T extends AutoCloseable> T shared(String key, Class<T> type, Supplier<T> factory) {
        return shared.get(key, type, factory);
      }
    };
  }

  @AfterEach
  void closeSharedResources() {
    shared.close();
  }
}
