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
import io.portico.spi.plugin.PluginContext;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * key-auth keeps and compares only digests of keys: the stored form is not a key, and a presented
 * key is hashed before anything is looked up or compared, so neither the time of a refusal nor the
 * stored config reveals how much of a key is right. That the comparisons themselves are constant
 * time is proved on the compiled code by {@link ConstantTimeCodeTest}: a timing probe on a shared
 * two-core machine could not tell a few nanoseconds from noise, and judged identical operations 10%
 * apart.
 */
class KeyAuthDigestsTest {

  private static final String LONG_KEY = randomKey(1024);

  private static String randomKey(int length) {
    byte[] bytes = new byte[length];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, length);
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
