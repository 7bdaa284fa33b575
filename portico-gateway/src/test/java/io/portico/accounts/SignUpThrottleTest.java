package io.portico.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignUpThrottleTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void anAddressMayTryTenTimesInAnHourThenWaitsForTheOldestToLeave() {
    SignUpThrottle t = new SignUpThrottle();
    for (int i = 0; i < SignUpThrottle.PER_ADDRESS; i++) {
      assertThat(t.attempt("10.0.0.1", T0.plusSeconds(60L * i))).isNull();
    }
    assertThat(t.attempt("10.0.0.1", T0.plusSeconds(600))).isEqualTo(Duration.ofMinutes(50));
    assertThat(t.attempt("10.0.0.2", T0.plusSeconds(600))).as("another address").isNull();
    // the first try leaves the window an hour after it was made; a refused try was not counted
    assertThat(t.attempt("10.0.0.1", T0.plusSeconds(3599))).isEqualTo(Duration.ofSeconds(1));
    assertThat(t.attempt("10.0.0.1", T0.plusSeconds(3600))).isNull();
    assertThat(t.attempt("10.0.0.1", T0.plusSeconds(3601))).isNotNull();
  }

  @Test
  void allAddressesTogetherCreateAHundredAccountsAnHour() {
    SignUpThrottle t = new SignUpThrottle();
    for (int i = 0; i < SignUpThrottle.ACCOUNTS; i++) {
      Instant now = T0.plusSeconds(i);
      assertThat(t.attempt("10.1." + (i / 250) + "." + (i % 250), now)).isNull();
      t.created(now);
    }
    assertThat(t.attempt("10.9.9.9", T0.plusSeconds(200))).isEqualTo(Duration.ofSeconds(3400));
    assertThat(t.attempt("10.9.9.9", T0.plusSeconds(3601))).isNull();
  }
}
