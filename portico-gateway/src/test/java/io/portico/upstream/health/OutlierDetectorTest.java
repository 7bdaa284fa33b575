package io.portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.HealthConfig;
import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Endpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Passive ejection on a clock the test moves. */
class OutlierDetectorTest {

  private static final Endpoint A = endpoint(1);
  private static final Endpoint B = endpoint(2);
  private static final Endpoint C = endpoint(3);
  private static final Endpoint D = endpoint(4);
  private static final List<Endpoint> ALL = List.of(A, B, C, D);
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(1);

  private static Endpoint endpoint(int i) {
    return new Endpoint(
        InetSocketAddress.createUnresolved("10.0.0." + i, 80), "10.0.0." + i + ":80", 1);
  }

  private OutlierDetector detector(int maxPercent, HealthConfig.AllUnhealthy all) {
    return new OutlierDetector(
        new HealthConfig.Passive(3, 2, Duration.ofSeconds(10), Duration.ofSeconds(25), maxPercent),
        all,
        now::get);
  }

  private static void fail(OutlierDetector d, Endpoint e, AttemptOutcome outcome, int times) {
    for (int i = 0; i < times; i++) {
      d.onResult(e, outcome, outcome == AttemptOutcome.HTTP_5XX ? 503 : 0, 1000);
    }
  }

  @Test
  void ejectsAfterConsecutiveFailuresAndOnlyConsecutiveOnes() {
    OutlierDetector d = detector(50, HealthConfig.AllUnhealthy.TRY_ALL);
    d.available(ALL);
    fail(d, A, AttemptOutcome.HTTP_5XX, 2);
    d.onResult(A, AttemptOutcome.SUCCESS, 200, 1000);
    fail(d, A, AttemptOutcome.HTTP_5XX, 2);
    assertThat(d.available(ALL)).containsExactly(A, B, C, D);

    fail(d, A, AttemptOutcome.HTTP_5XX, 1);
    assertThat(d.available(ALL)).containsExactly(B, C, D);

    fail(d, B, AttemptOutcome.CONNECT_FAILED, 2);
    assertThat(d.available(ALL)).containsExactly(C, D);
  }

  @Test
  void bringsAnEndpointBackAfterItsEjectionAndEjectsLongerEachTime() {
    OutlierDetector d = detector(50, HealthConfig.AllUnhealthy.TRY_ALL);
    d.available(ALL);
    fail(d, A, AttemptOutcome.CONNECT_TIMEOUT, 2);
    assertThat(d.available(ALL)).doesNotContain(A);
    now.addAndGet(10 * SECOND);
    assertThat(d.available(ALL)).contains(A);

    fail(d, A, AttemptOutcome.RESET, 2);
    now.addAndGet(15 * SECOND);
    assertThat(d.available(ALL)).as("second ejection lasts 20 s").doesNotContain(A);
    now.addAndGet(5 * SECOND);
    assertThat(d.available(ALL)).contains(A);

    fail(d, A, AttemptOutcome.RESET, 2);
    assertThat(d.ejections(A)).isEqualTo(3);
    now.addAndGet(25 * SECOND);
    assertThat(d.available(ALL)).as("capped at 25 s").contains(A);
  }

  @Test
  void neverEjectsMoreThanTheCap() {
    OutlierDetector d = detector(50, HealthConfig.AllUnhealthy.TRY_ALL);
    d.available(ALL);
    for (Endpoint e : ALL) {
      fail(d, e, AttemptOutcome.CONNECT_FAILED, 2);
    }
    assertThat(d.available(ALL)).hasSize(2);
  }

  @Test
  void allUnhealthyEitherTriesAllOrOffersNone() {
    OutlierDetector tryAll = detector(100, HealthConfig.AllUnhealthy.TRY_ALL);
    OutlierDetector fail = detector(100, HealthConfig.AllUnhealthy.FAIL);
    for (OutlierDetector d : List.of(tryAll, fail)) {
      d.available(ALL);
      for (Endpoint e : ALL) {
        fail(d, e, AttemptOutcome.CONNECT_FAILED, 2);
      }
    }
    assertThat(tryAll.available(ALL)).containsExactlyElementsOf(ALL);
    assertThat(fail.available(ALL)).isEmpty();
  }

  @Test
  void ignoresWhatSaysNothingAgainstTheEndpoint() {
    OutlierDetector d = detector(50, HealthConfig.AllUnhealthy.TRY_ALL);
    d.available(ALL);
    fail(d, A, AttemptOutcome.CANCELLED, 10);
    fail(d, A, AttemptOutcome.POOL_EXHAUSTED, 10);
    assertThat(d.available(ALL)).contains(A);
    assertThat(d.available(ALL)).isSameAs(d.available(ALL));
  }
}
