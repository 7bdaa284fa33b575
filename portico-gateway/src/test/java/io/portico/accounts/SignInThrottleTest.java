package io.portico.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The sign-in throttle stays bounded whatever names and addresses a client cycles through, keeps
 * the locks that are active, and counts an IPv6 client by its /64 prefix.
 */
class SignInThrottleTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void cyclingNamesAndAddressesKeepsTheCountsBoundedAndALockedAccountLocked() {
    SignInThrottle throttle = new SignInThrottle(100);
    for (int i = 0; i < 5; i++) {
      throttle.failed("admin", "10.0.0.1", NOW);
    }
    assertThat(throttle.locked("admin", "10.9.9.9", NOW)).isNotNull();

    for (int i = 0; i < 10_000; i++) {
      throttle.failed(
          "name-" + i, "10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff), NOW);
      assertThat(throttle.size()).isLessThanOrEqualTo(100);
    }
    assertThat(throttle.locked("admin", "10.9.9.9", NOW))
        .as("the account's lock outlives the names cycled after it")
        .isNotNull();
  }

  @Test
  void countsPastTheForgetTimeAreDropped() {
    SignInThrottle throttle = new SignInThrottle(1000);
    for (int i = 0; i < 50; i++) {
      throttle.failed("name-" + i, "10.0.1." + i, NOW);
    }
    assertThat(throttle.size()).isEqualTo(100);
    throttle.failed("later", "10.0.2.1", NOW.plus(SignInThrottle.FORGET).plusSeconds(1));
    assertThat(throttle.size()).isEqualTo(2);
  }

  @Test
  void anIpv6ClientIsThrottledByItsSlash64() {
    SignInThrottle throttle = new SignInThrottle(1000);
    for (int i = 0; i < 25; i++) {
      throttle.failed("name-" + i, "2001:db8:1:2:0:0:0:" + Integer.toHexString(i + 1), NOW);
    }
    assertThat(throttle.locked("someone", "2001:db8:1:2:ffff:ffff:ffff:ffff", NOW))
        .as("another address of the same /64")
        .isNotNull();
    assertThat(throttle.locked("someone", "2001:db8:1:3:0:0:0:1", NOW)).as("the next /64").isNull();
    assertThat(SignInThrottle.addressKey("2001:db8:1:2:0:0:0:1"))
        .isEqualTo(SignInThrottle.addressKey("2001:db8:1:2::ffff"))
        .isEqualTo("address:2001:db8:1:2::/64");
    assertThat(SignInThrottle.addressKey("10.0.0.1")).isEqualTo("address:10.0.0.1");
  }
}
