package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.AuthResult;
import io.portico.spi.plugin.Identity;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

  private static AuthResult.Authenticated ok(String who) {
    return new AuthResult.Authenticated(
        new Identity(who, null, "iss|" + who, Set.of(), "jwt", false, Map.of()));
  }

  @Test
  void returnsARememberedSuccessOnlyForTheSameToken() {
    VerifiedTokens cache = new VerifiedTokens(Duration.ofMinutes(1), 100);
    AuthResult.Authenticated alice = ok("alice");
    cache.put("a.b.c", alice, 0);
    assertThat(cache.get("a.b.c")).isSameAs(alice);
    assertThat(cache.get("a.b.d")).isNull();
  }

  @Test
  void neverKeepsATokenPastItsExpiry() throws Exception {
    VerifiedTokens cache = new VerifiedTokens(Duration.ofMinutes(1), 100);
    cache.put("expired", ok("x"), System.currentTimeMillis() - 1);
    assertThat(cache.get("expired")).isNull();
    cache.put("soon", ok("y"), System.currentTimeMillis() + 50);
    assertThat(cache.get("soon")).isNotNull();
    Thread.sleep(80);
    assertThat(cache.get("soon")).isNull();
  }

  @Test
  void staysWithinItsBound() {
    VerifiedTokens cache = new VerifiedTokens(Duration.ofMinutes(1), 10);
    for (int i = 0; i < 1000; i++) {
      cache.put("t" + i, ok("u" + i), 0);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(10);
  }

  @Test
  void isOffWithAZeroTtl() {
    assertThat(new VerifiedTokens(Duration.ZERO, 100).enabled()).isFalse();
  }
}
