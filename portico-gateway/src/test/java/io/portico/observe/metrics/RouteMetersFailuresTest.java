package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portico.observe.ExchangeRecord;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@code failure} label of a route's request counter: a plugin's reason is counted like the
 * gateway's own codes, and however many reasons plugins invent, a route counts a bounded number of
 * them apart.
 */
class RouteMetersFailuresTest {

  private static ExchangeRecord refused(String failure) {
    return ExchangeRecord.builder()
        .requestId("r")
        .method("GET")
        .path("/x")
        .protocol("HTTP/1.1")
        .route("api")
        .status(401)
        .failure(failure)
        .repliedBy("jwt")
        .build();
  }

  private static Set<String> failureLabels(SimpleMeterRegistry registry) {
    Set<String> labels = new HashSet<>();
    for (Counter c : registry.find("portico.requests").counters()) {
      labels.add(c.getId().getTag("failure"));
    }
    return labels;
  }

  @Test
  void aPluginReasonIsTheFailureLabel() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RouteMeters meters = new RouteMeters(registry, "api", "backend");

    meters.record(refused("jwt_expired"));
    meters.record(refused("jwt_expired"));
    meters.record(refused("key_unknown"));

    assertThat(registry.get("portico.requests").tag("failure", "jwt_expired").counter().count())
        .isEqualTo(2.0);
    assertThat(failureLabels(registry)).containsExactlyInAnyOrder("jwt_expired", "key_unknown");
  }

  @Test
  void reasonsBeyondTheCapAreCountedAsOther() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RouteMeters meters = new RouteMeters(registry, "api", "backend");

    for (int i = 0; i < RouteMeters.MAX_FAILURES + 50; i++) {
      meters.record(refused("reason_" + i));
    }
    meters.record(refused("reason_0"));

    Set<String> labels = failureLabels(registry);
    assertThat(labels).hasSize(RouteMeters.MAX_FAILURES + 1).contains(RouteMeters.OTHER_FAILURE);
    assertThat(registry.get("portico.requests").tag("failure", "reason_0").counter().count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .get("portico.requests")
                .tag("failure", RouteMeters.OTHER_FAILURE)
                .counter()
                .count())
        .isEqualTo(50.0);
  }
}
