package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.util.Base64URL;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link JwtVerifier} on the JOSE test vectors of RFC 7515 (HS256, ES256, unsecured). */
class JwtVerifierTest {

  /** RFC 7515 appendix A.1: the HS256 example, its key and its token. */
  private static final String A1_KEY =
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

  private static final String A1_TOKEN =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
          + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
          + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

  /** RFC 7515 appendix A.3: the ES256 example (the public half of its P-256 key) and its token. */
  private static final ECKey A3_KEY =
      new ECKey.Builder(
              Curve.P_256,
              new Base64URL("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"),
              new Base64URL("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"))
          .build();

  private static final String A3_TOKEN =
      "eyJhbGciOiJFUzI1NiJ9"
          + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
          + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

  private static JwtVerifier verifier(Set<JWSAlgorithm> algorithms, Instant now) {
    return verifier(
        algorithms,
        now,
        new JWKSet(new OctetSequenceKey.Builder(new Base64URL(A1_KEY).decode()).build()));
  }

  private static JwtVerifier verifier(Set<JWSAlgorithm> algorithms, Instant now, JWKSet keys) {
    JwtConfig config =
        new JwtConfig(
            new TokenSource(null, false, null, "t", new AuthSettings(null, false, true)),
            algorithms,
            List.of(new JwtConfig.Issuer("joe", keys, null)),
            Set.of(),
            Duration.ofSeconds(30),
            true,
            new RequiredWords(List.of("scope"), Set.of(), true),
            new RequiredWords(List.of("roles"), Set.of(), true),
            null,
            false,
            Map.of(),
            new JwtConfig.Jwks(
                Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(5)),
            "portico",
            Duration.ZERO,
            0);
    return new JwtVerifier(config, Map.of(), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void verifiesTheRfc7515HmacExampleWithItsKey() {
    JwtVerifier.Result r =
        verifier(Set.of(JWSAlgorithm.HS256), Instant.ofEpochSecond(1300819300))
            .verify(A1_TOKEN, uri -> null);
    assertThat(r).isInstanceOf(JwtVerifier.Valid.class);
    JwtVerifier.Valid valid = (JwtVerifier.Valid) r;
    assertThat(valid.claims().getIssuer()).isEqualTo("joe");
    assertThat(valid.claims().getClaim("http://example.com/is_root")).isEqualTo(true);
  }

  @Test
  void rfc7515ExampleIsExpiredAfterItsExpPlusLeeway() {
    assertThat(
            verifier(Set.of(JWSAlgorithm.HS256), Instant.ofEpochSecond(1300819380 + 31))
                .verify(A1_TOKEN, uri -> null))
        .isEqualTo(new JwtVerifier.Invalid(AuthFailure.JWT_EXPIRED));
  }

  @Test
  void rfc7515ExampleIsRefusedWhenHs256IsNotConfigured() {
    assertThat(
            verifier(
                    Set.of(JWSAlgorithm.HS512, JWSAlgorithm.RS256),
                    Instant.ofEpochSecond(1300819300))
                .verify(A1_TOKEN, uri -> null))
        .isEqualTo(new JwtVerifier.Invalid(AuthFailure.JWT_ALGORITHM_NOT_ALLOWED));
  }

  @Test
  void rfc7515UnsecuredExampleIsRefused() {
    String a5 =
        "eyJhbGciOiJub25lIn0"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
            + ".";
    assertThat(
            verifier(Set.of(JWSAlgorithm.HS256), Instant.ofEpochSecond(1300819300))
                .verify(a5, uri -> null))
        .isEqualTo(new JwtVerifier.Invalid(AuthFailure.JWT_MALFORMED));
  }

  @Test
  void verifiesTheRfc7515EcdsaExampleWithItsPublicKey() {
    JwtVerifier.Result r =
        verifier(Set.of(JWSAlgorithm.ES256), Instant.ofEpochSecond(1300819300), new JWKSet(A3_KEY))
            .verify(A3_TOKEN, uri -> null);
    assertThat(r).isInstanceOf(JwtVerifier.Valid.class);
    assertThat(((JwtVerifier.Valid) r).claims().getIssuer()).isEqualTo("joe");
  }

  @Test
  void rfc7515EcdsaExampleIsRefusedWhenOnlyRsaIsConfigured() {
    assertThat(
            verifier(
                    Set.of(JWSAlgorithm.RS256),
                    Instant.ofEpochSecond(1300819300),
                    new JWKSet(A3_KEY))
                .verify(A3_TOKEN, uri -> null))
        .isEqualTo(new JwtVerifier.Invalid(AuthFailure.JWT_ALGORITHM_NOT_ALLOWED));
  }

  @Test
  void rfc7515EcdsaExampleWithAFlippedSignatureByteIsRefused() {
    String tampered = A3_TOKEN.substring(0, A3_TOKEN.length() - 3) + "NUR";
    assertThat(
            verifier(
                    Set.of(JWSAlgorithm.ES256),
                    Instant.ofEpochSecond(1300819300),
                    new JWKSet(A3_KEY))
                .verify(tampered, uri -> null))
        .isEqualTo(new JwtVerifier.Invalid(AuthFailure.JWT_SIGNATURE_INVALID));
  }

  @Test
  void tamperedRfc7515ExampleIsRefused() {
    String tampered = A1_TOKEN.substring(0, A1_TOKEN.length() - 2) + "jY";
    assertThat(
            verifier(Set.of(JWSAlgorithm.HS256), Instant.ofEpochSecond(1300819300))
                .verify(tampered, uri -> null))
        .isEqualTo(new JwtVerifier.Invalid(AuthFailure.JWT_SIGNATURE_INVALID));
  }
}
