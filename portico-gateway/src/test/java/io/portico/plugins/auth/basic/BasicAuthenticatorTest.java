package io.portico.plugins.auth.basic;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.config.ConfigLoader;
import io.portico.plugins.auth.AuthResult;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authenticator;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.PluginContext;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** The bcrypt check in memory: off the calling thread, and remembered after a success. */
class BasicAuthenticatorTest {

  private final BcryptPool pool = new BcryptPool(1, 4);

  @AfterEach
  void closePool() {
    pool.close();
  }

  private Authenticator authenticator(Duration ttl) {
    ConfigNode credentials =
        ConfigLoader.withEnvironment(Map.of())
            .load(
                "username: alice\npassword: \"" + BCrypt.hashpw("pw", BCrypt.gensalt(4)) + "\"\n",
                "t.yaml")
            .root();
    List<ConsumerSpec> consumers =
        List.of(new ConsumerSpec("alice", null, List.of(), Map.of("basic-auth", credentials)));
    PluginContext context =
        new PluginContext() {
          @Override
          public io.netty.channel.EventLoopGroup eventLoops() {
            return null;
          }

          @Override
          public String configSource() {
            return "t.yaml";
          }

          @Override
          public List<ConsumerSpec> consumers() {
            return consumers;
          }

          @Override
          public <T extends AutoCloseable> T shared(
              String key, Class<T> type, Supplier<T> factory) {
            return type.cast(pool);
          }
        };
    return new BasicAuthFactory()
        .authenticator(
            new BasicAuthConfig("r", ttl, 100, new AuthSettings(null, false, true)), context);
  }

  private static Exchange exchange(String user, String password) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request
        .headers()
        .set(
            "authorization",
            "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
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

  private static AuthResult settle(AuthResult result) throws Exception {
    assertThat(result).isInstanceOf(AuthResult.Pending.class);
    return ((AuthResult.Pending) result).stage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSuccessfulCheckIsRememberedSoTheNextRequestNeedsNoBcrypt() throws Exception {
    Authenticator auth = authenticator(Duration.ofMinutes(1));
    assertThat(settle(auth.authenticate(exchange("alice", "pw"))))
        .isInstanceOf(AuthResult.Authenticated.class);
    AuthResult again = auth.authenticate(exchange("alice", "pw"));
    assertThat(again).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(((AuthResult.Authenticated) again).identity().consumer()).isEqualTo("alice");
  }

  @Test
  void aWrongPasswordIsNeverRememberedNorIsAPasswordAfterTheCachedOne() throws Exception {
    Authenticator auth = authenticator(Duration.ofMinutes(1));
    assertThat(settle(auth.authenticate(exchange("alice", "wrong"))))
        .isInstanceOf(AuthResult.Invalid.class);
    assertThat(settle(auth.authenticate(exchange("alice", "pw"))))
        .isInstanceOf(AuthResult.Authenticated.class);
    assertThat(settle(auth.authenticate(exchange("alice", "pw2"))))
        .isInstanceOf(AuthResult.Invalid.class);
    assertThat(settle(auth.authenticate(exchange("mallory", "pw"))))
        .isInstanceOf(AuthResult.Invalid.class);
  }

  @Test
  void withoutACacheEveryRequestIsChecked() throws Exception {
    Authenticator auth = authenticator(Duration.ZERO);
    settle(auth.authenticate(exchange("alice", "pw")));
    assertThat(auth.authenticate(exchange("alice", "pw"))).isInstanceOf(AuthResult.Pending.class);
  }

  @Test
  void aSaturatedPoolMakesTheCheckUnavailableInsteadOfQueueing() {
    BcryptPool tiny = new BcryptPool(1, 1);
    try {
      tiny.submit(() -> sleep(300));
      tiny.submit(() -> sleep(300));
      assertThat(tiny.submit(() -> 1).toCompletableFuture()).isCompletedExceptionally();
    } finally {
      tiny.close();
    }
  }

  private static int sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
