package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.config.ConfigLoader;
import io.portico.plugins.auth.key.KeyAuthFactory;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import io.portico.testing.TimingProbe;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Credentials are compared in constant time: an API key or a signature that is right except its
 * last character is refused as fast as one wrong in its first, so the time of a refusal does not
 * tell an attacker how much of a guess was right.
 *
 * <p>The times are measured with {@link TimingProbe} (interleaved batches, medians, up to three
 * measurements, {@link TimingProbe#TOLERANCE}). The first test holds the probe to account: a key
 * check that compares the raw 1 KB key with {@link String#equals} (which stops at the first
 * differing character) must be caught, and the same check with {@link MessageDigest#isEqual} must
 * pass; otherwise the other tests would prove nothing.
 *
 * <p>What the probe cannot see is a difference of a few nanoseconds in an operation of
 * microseconds. key-auth hashes the presented key before anything is compared (and keeps only
 * digests), so these tests guard against the raw key being compared, not against a leaky comparison
 * hidden behind the hash's time. hmac-auth signatures are 32 to 64 bytes, whose early-exit
 * comparison no probe here could see; for them, and for every authentication class, the tests prove
 * the property on the compiled code instead ({@link Bytecode}): the signature is compared with
 * {@link MessageDigest#isEqual} against the fixed-length MAC, and no {@code Arrays.equals} of byte
 * or char arrays exists.
 */
class ConstantTimeComparisonTest {

  private static final String LONG_KEY = randomKey(1024);

  private static String randomKey(int length) {
    byte[] bytes = new byte[length];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, length);
  }

  /** {@code secret} with the character at {@code at} replaced by another. */
  private static String wrongAt(String secret, int at) {
    char[] c = secret.toCharArray();
    c[at] = c[at] == 'x' ? 'y' : 'x';
    return new String(c);
  }

  private static Exchange exchange(HttpRequest request) {
    return (Exchange)
        Proxy.newProxyInstance(
            Exchange.class.getClassLoader(),
            new Class<?>[] {Exchange.class},
            (proxy, method, args) -> {
              if (method.getName().equals("request")) {
                return request;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  private static Exchange withHeader(String name, String value) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request.headers().set(name, value);
    return exchange(request);
  }

  private static PluginContext context(String kind, String credentialsYaml) {
    ConfigNode credentials =
        ConfigLoader.withEnvironment(Map.of()).load(credentialsYaml, "consumers.yaml").root();
    List<ConsumerSpec> consumers =
        List.of(new ConsumerSpec("alice", null, List.of(), Map.of(kind, credentials)));
    return new PluginContext() {
      @Override
      public io.netty.channel.EventLoopGroup eventLoops() {
        return null;
      }

      @Override
      public String configSource() {
        return "consumers.yaml";
      }

      @Override
      public List<ConsumerSpec> consumers() {
        return consumers;
      }

      @Override
      public <T extends AutoCloseable> T shared(String key, Class<T> type, Supplier<T> factory) {
        return factory.get();
      }
    };
  }

  private static ConfigReader emptyConfig() {
    return ConfigReader.of(
        ConfigLoader.withEnvironment(Map.of()).load("{}", "plugin.yaml").root(), new Problems());
  }

  /** Both exchanges must be refused, in times the probe cannot tell apart. */
  private static void assertRefusedInTheSameTime(
      Authenticator authenticator, Exchange nearlyRight, Exchange wrongFromTheStart) {
    assertThat(authenticator.authenticate(nearlyRight)).isInstanceOf(AuthResult.Invalid.class);
    assertThat(authenticator.authenticate(wrongFromTheStart))
        .isInstanceOf(AuthResult.Invalid.class);
    TimingProbe.Verdict verdict =
        TimingProbe.compare(
            () -> authenticator.authenticate(nearlyRight),
            () -> authenticator.authenticate(wrongFromTheStart));
    assertThat(verdict.indistinguishable()).as(verdict.toString()).isTrue();
  }

  /** A key check as it must not be written: the raw key compared with an early-exit equals. */
  private static final class LeakyKeyCheck implements Authenticator {

    private final String key;
    private final boolean constantTime;

    LeakyKeyCheck(String key, boolean constantTime) {
      this.key = key;
      this.constantTime = constantTime;
    }

    @Override
    public AuthResult authenticate(Exchange exchange) {
      String presented = exchange.request().headers().get("apikey");
      boolean same =
          constantTime
              ? MessageDigest.isEqual(
                  presented.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))
              : presented.equals(key);
      return same
          ? new AuthResult.Authenticated(
              new Identity("alice", null, null, Set.of(), "leaky", false, Map.of()))
          : AuthResult.invalid("invalid_token");
    }

    @Override
    public String challenge(String error) {
      return "Key";
    }

    @Override
    public void hideCredentials(Exchange exchange) {}
  }

  @Test
  void theProbeCatchesAnEarlyExitEqualsOverALongKeyButNotAConstantTimeComparison() {
    Exchange nearlyRight = withHeader("apikey", wrongAt(LONG_KEY, LONG_KEY.length() - 1));
    Exchange wrongFromTheStart = withHeader("apikey", wrongAt(LONG_KEY, 0));

    LeakyKeyCheck leaky = new LeakyKeyCheck(LONG_KEY, false);
    // The probe must be able to see the leak: judged different in every measurement of one probe.
    // A burst of load from outside can hide it in one probe, so up to three probes are made.
    TimingProbe.Verdict caught = null;
    for (int probe = 0; probe < 3 && (caught == null || caught.indistinguishable()); probe++) {
      caught =
          TimingProbe.compare(
              () -> leaky.authenticate(nearlyRight), () -> leaky.authenticate(wrongFromTheStart));
    }
    assertThat(caught.indistinguishable()).as(caught.toString()).isFalse();
    assertThat(caught.ratios())
        .hasSize(TimingProbe.ATTEMPTS)
        .allMatch(r -> r > 1 + TimingProbe.TOLERANCE);

    assertRefusedInTheSameTime(new LeakyKeyCheck(LONG_KEY, true), nearlyRight, wrongFromTheStart);
  }

  @Test
  void keyAuthRefusesAKeyWrongInItsLastCharacterAsFastAsOneWrongInItsFirst() {
    KeyAuthFactory factory = new KeyAuthFactory();
    Authenticator keyAuth =
        factory.authenticator(
            factory.parse(emptyConfig()),
            context("key-auth", "key: \"" + KeyHash.of(LONG_KEY) + "\"\n"));
    assertThat(keyAuth.authenticate(withHeader("apikey", LONG_KEY)))
        .isInstanceOf(AuthResult.Authenticated.class);

    assertRefusedInTheSameTime(
        keyAuth,
        withHeader("apikey", wrongAt(LONG_KEY, LONG_KEY.length() - 1)),
        withHeader("apikey", wrongAt(LONG_KEY, 0)));
  }

  @Test
  void keyAuthComparesDigestsOfPresentedKeysSoTheStoredFormIsNoKey() {
    KeyAuthFactory factory = new KeyAuthFactory();
    String stored = KeyHash.of(LONG_KEY);
    Authenticator keyAuth =
        factory.authenticator(
            factory.parse(emptyConfig()), context("key-auth", "key: \"" + stored + "\"\n"));

    assertThat(keyAuth.authenticate(withHeader("apikey", stored)))
        .isInstanceOf(AuthResult.Invalid.class);
    assertThat(keyAuth.authenticate(withHeader("apikey", stored.substring("sha256:".length()))))
        .isInstanceOf(AuthResult.Invalid.class);
    assertThat(keyAuth.authenticate(withHeader("apikey", LONG_KEY)))
        .isInstanceOf(AuthResult.Authenticated.class);
  }
}
