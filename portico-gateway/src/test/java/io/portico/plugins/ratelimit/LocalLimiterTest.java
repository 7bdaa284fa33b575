package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The local limiter's arithmetic on a clock the test moves. */
class LocalLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final LocalLimiter limiter = new LocalLimiter(1000, now::get);

  private static LimitRule[] rule(Algorithm algorithm, long limit, long windowMillis, long burst) {
    return new LimitRule[] {new LimitRule("r", limit, windowMillis, algorithm, burst)};
  }

  private int admitted(String key, LimitRule[] rules, int tries) {
    int ok = 0;
    for (int i = 0; i < tries; i++) {
      ok += limiter.decide(key, rules, 1, Counting.CHECK_AND_ADD).allowed() ? 1 : 0;
    }
    return ok;
  }

  @Test
  void slidingWindowWeighsThePreviousWindowByItsOverlap() {
    LimitRule[] rules = rule(Algorithm.SLIDING_WINDOW, 10, 60_000, 10);
    now.set(60_000L * 20_000_000);
    assertThat(admitted("k", rules, 10)).isEqualTo(10);
    // a quarter into the next window, three quarters of the previous 10 still count: 7.5
    now.addAndGet(75_000);
    assertThat(admitted("k", rules, 10)).isEqualTo(2);
    Decision refused = limiter.decide("k", rules, 1, Counting.CHECK_AND_ADD);
    assertThat(refused.allowed()).isFalse();
    // 2 counted now: one more fits when 10 * (1 - x) + 3 <= 10, at x = 30% of the window
    assertThat(refused.retryAfterMillis()).isBetween(3000L, 3001L);
    now.addAndGet(refused.retryAfterMillis());
    assertThat(admitted("k", rules, 10)).isEqualTo(1);
  }

  @Test
  void fixedWindowResetsAtTheBoundary() {
    LimitRule[] rules = rule(Algorithm.FIXED_WINDOW, 5, 1000, 5);
    now.set(1000L * 1_000_000_000 + 900);
    assertThat(admitted("k", rules, 10)).isEqualTo(5);
    Decision refused = limiter.decide("k", rules, 1, Counting.CHECK_AND_ADD);
    assertThat(refused.retryAfterMillis()).isEqualTo(100);
    now.addAndGet(100);
    assertThat(admitted("k", rules, 10)).isEqualTo(5);
  }

  @Test
  void tokenBucketRefillsSmoothly() {
    LimitRule[] rules = rule(Algorithm.TOKEN_BUCKET, 10, 10_000, 3);
    assertThat(admitted("k", rules, 10)).isEqualTo(3);
    now.addAndGet(1000);
    assertThat(admitted("k", rules, 10)).isEqualTo(1);
    now.addAndGet(2500);
    assertThat(admitted("k", rules, 10)).isEqualTo(2);
  }

  @Test
  void everyLimitMustHaveRoomAndNoneIsCountedOnARefusal() {
    LimitRule[] rules = {
      new LimitRule("s", 2, 1000, Algorithm.FIXED_WINDOW, 2),
      new LimitRule("h", 3, 3_600_000, Algorithm.FIXED_WINDOW, 3)
    };
    now.set(3_600_000L * 1_000_000);
    assertThat(admitted("k", rules, 5)).isEqualTo(2);
    now.addAndGet(1000);
    assertThat(admitted("k", rules, 5)).isEqualTo(1);
    Decision d = limiter.decide("k", rules, 1, Counting.CHECK_AND_ADD);
    assertThat(d.allowed()).isFalse();
    assertThat(d.remaining(0)).isEqualTo(1);
    assertThat(d.remaining(1)).isZero();
  }

  @Test
  void keepsAtMostMaxKeysAndForgetsIdleOnesFirst() {
    LocalLimiter small = new LocalLimiter(16, now::get);
    LimitRule[] rules = rule(Algorithm.FIXED_WINDOW, 1, 1000, 1);
    for (int i = 0; i < 100; i++) {
      small.decide("k" + i, rules, 1, Counting.CHECK_AND_ADD);
    }
    assertThat(small.size()).isLessThanOrEqualTo(16);
    now.addAndGet(10_000);
    small.decide("busy", rules, 1, Counting.CHECK_AND_ADD);
    assertThat(small.decide("busy", rules, 1, Counting.CHECK_AND_ADD).allowed()).isFalse();
  }
}
