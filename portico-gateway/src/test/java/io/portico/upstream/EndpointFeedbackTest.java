package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.PoolConfig;
import io.portico.config.RetryConfig;
import io.portico.config.TimeoutsConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How attempts are reported to the balancer and, when it listens, the source. */
class EndpointFeedbackTest {

  private static final Endpoint A =
      new Endpoint(new InetSocketAddress("127.0.0.1", 9001), "127.0.0.1:9001", 1);

  record Result(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {}

  /** Picks the first endpoint and records every result. */
  static final class RecordingBalancer implements Balancer {
    final List<Result> results = new ArrayList<>();

    @Override
    public Endpoint pick(List<Endpoint> endpoints, Endpoint exclude) {
      return endpoints.isEmpty() ? null : endpoints.get(0);
    }

    @Override
    public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
      results.add(new Result(endpoint, outcome, status, latencyNanos));
    }
  }

  /** A source that does passive health checking: it hears results too. */
  static final class HealthCheckingSource extends PublishingEndpointSource
      implements EndpointFeedback {
    final List<Result> results = new ArrayList<>();

    HealthCheckingSource(List<Endpoint> endpoints) {
      publish(endpoints);
    }

    @Override
    public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
      results.add(new Result(endpoint, outcome, status, latencyNanos));
    }
  }

  private static UpstreamService service(EndpointSource source, Balancer balancer) {
    return new UpstreamService(
        "users",
        source,
        balancer,
        TimeoutsConfig.DEFAULTS,
        PoolConfig.DEFAULTS,
        RetryConfig.DEFAULTS,
        new RetryBudget(20),
        null);
  }

  @Test
  void reportsEachAttemptToTheBalancer() {
    RecordingBalancer balancer = new RecordingBalancer();
    UpstreamService users = service(new StaticEndpointSource(List.of(A)), balancer);
    Endpoint picked = users.pick(null);

    users.report(picked, AttemptOutcome.ofStatus(503), 503, 1_500_000);
    users.report(picked, AttemptOutcome.CONNECT_TIMEOUT, 0, 5_000_000_000L);

    assertThat(balancer.results)
        .containsExactly(
            new Result(A, AttemptOutcome.HTTP_5XX, 503, 1_500_000),
            new Result(A, AttemptOutcome.CONNECT_TIMEOUT, 0, 5_000_000_000L));
  }

  @Test
  void reportsToASourceThatListensAsWell() {
    RecordingBalancer balancer = new RecordingBalancer();
    HealthCheckingSource source = new HealthCheckingSource(List.of(A));
    UpstreamService users = service(source, balancer);

    users.report(A, AttemptOutcome.SUCCESS, 200, 800_000);

    assertThat(source.results).containsExactly(new Result(A, AttemptOutcome.SUCCESS, 200, 800_000));
    assertThat(balancer.results).isEqualTo(source.results);
  }

  @Test
  void theRoundRobinBalancerIgnoresResultsAndKeepsItsSchedule() {
    Endpoint b = new Endpoint(new InetSocketAddress("127.0.0.1", 9002), "127.0.0.1:9002", 1);
    UpstreamService users =
        service(new StaticEndpointSource(List.of(A, b)), new WeightedRoundRobinBalancer());
    List<Endpoint> picks = new ArrayList<>();

    for (int i = 0; i < 4; i++) {
      Endpoint e = users.pick(null);
      picks.add(e);
      users.report(e, AttemptOutcome.RESET, 0, 1);
    }

    assertThat(picks).containsExactly(A, b, A, b);
  }

  @Test
  void classifiesOutcomesForHealthChecks() {
    assertThat(AttemptOutcome.ofStatus(200)).isEqualTo(AttemptOutcome.SUCCESS);
    assertThat(AttemptOutcome.ofStatus(404)).isEqualTo(AttemptOutcome.SUCCESS);
    assertThat(AttemptOutcome.ofStatus(500)).isEqualTo(AttemptOutcome.HTTP_5XX);
    assertThat(AttemptOutcome.of(AcquireCallback.AcquireFailure.CONNECT_FAILED))
        .isEqualTo(AttemptOutcome.CONNECT_FAILED);
    assertThat(AttemptOutcome.of(AcquireCallback.AcquireFailure.POOL_EXHAUSTED))
        .isEqualTo(AttemptOutcome.POOL_EXHAUSTED);
    assertThat(AttemptOutcome.POOL_EXHAUSTED.endpointFailure()).isFalse();
    assertThat(AttemptOutcome.CANCELLED.endpointFailure()).isFalse();
    assertThat(AttemptOutcome.SUCCESS.endpointFailure()).isFalse();
    assertThat(AttemptOutcome.RESPONSE_TIMEOUT.endpointFailure()).isTrue();
    assertThat(AttemptOutcome.HTTP_5XX.endpointFailure()).isTrue();
  }
}
