package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Config mistakes of the token plugins are reported at load time, all at once, with a path. */
class TokenConfigTest {

  private static List<String> problems(String plugins) {
    String yaml =
        """
        routes:
          - name: api
            paths: [ "/api" ]
            plugins:
        %s
        """
            .formatted(plugins.indent(6));
    ConfigResult result =
        ConfigFiles.parse(
            yaml,
            "test.yaml",
            Path.of("."),
            Map.of(),
            PluginRegistry.load(TokenConfigTest.class.getClassLoader()));
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  /** The YAML block under "## Example" of a plugin's page. */
  static String example(String page) throws java.io.IOException {
    String text = java.nio.file.Files.readString(Path.of("..", "docs", "plugins", page));
    int at = text.indexOf("```yaml", text.indexOf("## Example")) + "```yaml".length();
    return text.substring(at, text.indexOf("```", at));
  }

  private static ConfigResult parseDocument(String yaml) {
    return ConfigFiles.parse(
        yaml,
        "example.yaml",
        Path.of("."),
        Map.of(
            "INTROSPECTION_SECRET", "x",
            "OIDC_CLIENT_SECRET", "x",
            "OIDC_SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
        PluginRegistry.load(TokenConfigTest.class.getClassLoader()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jwt.md", "oauth2-introspection.md", "openid-connect.md"})
  void documentedExampleLoads(String page) throws Exception {
    ConfigResult result = parseDocument(example(page));
    assertThat(result.problems().list()).isEmpty();
    assertThat(result.config().routes()).isNotEmpty();
  }

  @Test
  void documentedJwtConsumersCarryUsableKeys() throws Exception {
    ConfigResult result = parseDocument(example("jwt.md"));
    List<io.portico.spi.plugin.ConsumerSpec> consumers =
        result.config().consumers().stream()
            .map(
                c ->
                    new io.portico.spi.plugin.ConsumerSpec(
                        c.name(), c.customId(), c.groups(), c.credentials()))
            .toList();
    Map<String, JwtVerifier.ConsumerKey> keys = JwtFactory.consumerKeys(consumers);
    assertThat(keys).containsOnlyKeys("mobile-app", "partner-42");
    assertThat(keys.get("partner-42").keys().getKeys()).hasSize(1);
  }

  @Test
  void jwtRefusesAlgNoneAndUnknownAlgorithms() {
    List<String> p =
        problems(
            """
            jwt:
              algorithms: [ none, RS256, HS1 ]
              issuers: [ { issuer: a, jwks-url: "https://a.example/jwks" } ]
            """);
    assertThat(p).hasSize(2);
    assertThat(p.get(0))
        .contains("jwt.algorithms[0]")
        .contains("none")
        .contains("expected: one of");
    assertThat(p.get(1)).contains("jwt.algorithms[2]");
  }

  @Test
  void jwtRefusesShortSecretsBadPemAndTwoKeySources() {
    List<String> p =
        problems(
            """
            jwt:
              algorithms: [ HS256 ]
              issuers:
                - { issuer: a, secret: short }
                - { issuer: b, public-key: "not a key" }
                - { issuer: c, secret: "0123456789abcdef0123456789abcdef", jwks-url: "https://c/jwks" }
                - { issuer: d, jwks-url: "ftp://d/jwks" }
            """);
    assertThat(p).hasSize(4);
    assertThat(p.get(0)).contains("issuers[0].secret").contains("at least 32 bytes");
    assertThat(p.get(1)).contains("issuers[1].public-key").contains("PEM public key");
    assertThat(p.get(2)).contains("one source of keys per issuer");
    assertThat(p.get(3)).contains("issuers[3].jwks-url").contains("http or https URL");
  }

  @Test
  void openIdConnectRelyingPartyNeedsClientSessionAndRedirect() {
    List<String> p =
        problems(
            """
            openid-connect:
              mode: relying-party
              discovery: "https://login.example.com/.well-known/openid-configuration"
              session: { secret: short }
              redirect-path: callback
            """);
    String all = String.join("\n", p);
    assertThat(all)
        .contains("openid-connect.client-id")
        .contains("openid-connect.client-secret")
        .contains("openid-connect.session.secret")
        .contains("openid-connect.redirect-path")
        .contains("openid-connect.redirect-uri: missing");
  }

  @Test
  void openIdConnectRedirectUriIsRequiredAndItsPathIsTheRedirectPath() {
    String base =
        """
        openid-connect:
          mode: relying-party
          discovery: "https://login.example.com/.well-known/openid-configuration"
          client-id: portico
          client-secret: s3cret
          redirect-path: /callback
          session: { secret: "0123456789abcdef0123456789abcdef" }
        """;
    assertThat(problems(base))
        .singleElement()
        .asString()
        .contains("openid-connect.redirect-uri: missing")
        .contains("the provider sends the browser back to");
    assertThat(problems(base + "  redirect-uri: https://app.example.com/elsewhere\n"))
        .singleElement()
        .asString()
        .contains("openid-connect.redirect-uri")
        .contains("a URL whose path is redirect-path (/callback)");
    assertThat(problems(base + "  redirect-uri: https://app.example.com/callback\n")).isEmpty();
  }

  @Test
  void openIdConnectSessionCookieIsNotTheConsoles() {
    List<String> p =
        problems(
            """
            openid-connect:
              mode: relying-party
              discovery: "https://login.example.com/.well-known/openid-configuration"
              client-id: portico
              client-secret: s3cret
              redirect-path: /callback
              redirect-uri: https://app.example.com/callback
              session: { secret: "0123456789abcdef0123456789abcdef", cookie: portico_session }
            """);
    assertThat(p)
        .singleElement()
        .asString()
        .contains("openid-connect.session.cookie")
        .contains("the console's session cookie");
  }

  @Test
  void openIdConnectBearerModeRefusesRelyingPartyKeys() {
    List<String> p =
        problems(
            """
            openid-connect:
              discovery: "https://login.example.com/.well-known/openid-configuration"
              client-id: x
            """);
    assertThat(p).singleElement().asString().contains("unknown key \"client-id\"");
  }

  @Test
  void openIdConnectIdTokenHeaderMustBeAFreeHeaderName() {
    for (String bad : List.of("\"X Id\"", "Authorization", "X-Consumer-Name")) {
      List<String> p =
          problems(
              """
              openid-connect:
                mode: relying-party
                discovery: "https://login.example.com/.well-known/openid-configuration"
                client-id: portico
                client-secret: s3cret
                redirect-path: /callback
                redirect-uri: https://app.example.com/callback
                session: { secret: "0123456789abcdef0123456789abcdef" }
                id-token-header: %s
              """
                  .formatted(bad));
      assertThat(p)
          .as(bad)
          .singleElement()
          .asString()
          .contains("openid-connect.id-token-header")
          .contains("a header name other than Authorization");
    }
  }

  private static List<String> userInfoProblems(String extra) {
    return problems(
        """
        openid-connect:
          discovery: "https://login.example.com/.well-known/openid-configuration"
        %s
        """
            .formatted(extra.indent(2)));
  }

  @Test
  void openIdConnectUserInfoHeaderMustBeAFreeHeaderName() {
    assertThat(userInfoProblems("userinfo: { forward: true, header: \"X User\" }"))
        .singleElement()
        .asString()
        .contains("openid-connect.userinfo.header")
        .contains("X User")
        .contains("expected: a header name");
    assertThat(userInfoProblems("userinfo: { forward: true, header: Authorization }"))
        .singleElement()
        .asString()
        .contains("openid-connect.userinfo.header");
    assertThat(userInfoProblems("userinfo: { forward: true, header: X-Consumer-Name }"))
        .singleElement()
        .asString()
        .contains("the identity headers");
    assertThat(
            userInfoProblems(
                "claims-to-headers: { email: X-Userinfo }\nuserinfo: { forward: true }"))
        .singleElement()
        .asString()
        .contains("openid-connect.userinfo")
        .contains("claims-to-headers");
    assertThat(userInfoProblems("userinfo: { header: X-Profile }")).isEmpty();
  }

  @Test
  void openIdConnectUserInfoValuesAreChecked() {
    List<String> p =
        userInfoProblems(
            "userinfo: { forward: yes-please, cache: { max-ttl: soon, max-entries: 0 } }");
    assertThat(p).hasSize(3);
    assertThat(String.join("\n", p))
        .contains("userinfo.forward")
        .contains("userinfo.cache.max-ttl")
        .contains("userinfo.cache.max-entries");
  }

  @Test
  void openIdConnectUserInfoReportsUnknownKeys() {
    assertThat(userInfoProblems("userinfo: { forward: true, headers: X-Userinfo }"))
        .singleElement()
        .asString()
        .contains("did you mean \"header\"");
  }

  @Test
  void jwtNeedsAlgorithmsAndIssuers() {
    List<String> p = problems("jwt: { audiences: [ api ], realm: x }");
    assertThat(p).hasSize(2);
    assertThat(String.join("\n", p)).contains("jwt.algorithms").contains("jwt.issuers");
  }

  @Test
  void jwtReportsUnknownKeysWithASuggestion() {
    List<String> p =
        problems(
            """
            jwt:
              algorithms: [ RS256 ]
              issuers: [ { issuer: a, jwks-url: "https://a.example/jwks" } ]
              audience: [ api ]
            """);
    assertThat(p)
        .singleElement()
        .asString()
        .contains("audience")
        .contains("did you mean \"audiences\"");
  }
}
