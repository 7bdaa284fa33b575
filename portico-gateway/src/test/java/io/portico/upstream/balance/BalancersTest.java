package io.portico.upstream.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Endpoint;
import io.portico.upstream.HashKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The balancing policies in memory: distributions and what moves when the list changes. */
class BalancersTest {

  private static Endpoint endpoint(int i) {
    return new Endpoint(
        InetSocketAddress.createUnresolved("10.0.0." + i, 8080), "10.0.0." + i + ":8080", 1);
  }

  private static List<Endpoint> endpoints(int n) {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(endpoint(i));
    }
    return List.copyOf(out);
  }

  @Test
  void consistentHashMovesAboutOneKeyInElevenWhenAnEleventhEndpointJoins() {
    ConsistentHashBalancer balancer = new ConsistentHashBalancer();
    List<Endpoint> ten = endpoints(10);
    List<Endpoint> eleven = endpoints(11);
    int keys = 20_000;
    Map<Integer, Endpoint> before = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      before.put(k, balancer.pick(ten, null, HashKey.hash("user-" + k)));
    }
    int moved = 0;
    for (int k = 0; k < keys; k++) {
      Endpoint after = balancer.pick(eleven, null, HashKey.hash("user-" + k));
      if (!after.equals(before.get(k))) {
        moved++;
        assertThat(after).as("a moved key goes to the new endpoint").isEqualTo(endpoint(11));
      }
    }
    double share = (double) moved / keys;
    assertThat(share).isBetween(0.05, 0.14);
  }

  @Test
  void consistentHashSpreadsKeysEvenlyAndKeepsAKeyOnItsEndpoint() {
    ConsistentHashBalancer balancer = new ConsistentHashBalancer();
    List<Endpoint> four = endpoints(4);
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int k = 0; k < 40_000; k++) {
      counts.merge(balancer.pick(four, null, HashKey.hash("k" + k)), 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(7_000, 13_000));
    long h = HashKey.hash("alice");
    Endpoint first = balancer.pick(four, null, h);
    assertThat(balancer.pick(four, null, h)).isEqualTo(first);
    assertThat(balancer.pick(four, first, h)).isNotEqualTo(first);
  }

  @Test
  void leastRequestKeepsRequestsInFlightLevel() {
    LeastRequestBalancer balancer = new LeastRequestBalancer();
    List<Endpoint> three = endpoints(3);
    Map<Endpoint, Integer> inFlight = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      inFlight.merge(balancer.pick(three, null), 1, Integer::sum);
    }
    int max = inFlight.values().stream().max(Integer::compare).orElseThrow();
    int min = inFlight.values().stream().min(Integer::compare).orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(3);
  }

  @Test
  void leastRequestAvoidsTheEndpointWhoseRequestsDoNotFinish() {
    LeastRequestBalancer balancer = new LeastRequestBalancer();
    List<Endpoint> three = endpoints(3);
    Map<Endpoint, Integer> picks = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      Endpoint e = balancer.pick(three, null);
      picks.merge(e, 1, Integer::sum);
      if (!e.equals(endpoint(1))) {
        balancer.onResult(e, AttemptOutcome.SUCCESS, 200, 1_000_000);
      }
    }
    assertThat(picks.get(endpoint(1))).isLessThan(100);
  }

  @Test
  void ewmaPrefersTheFastEndpoint() {
    PeakEwmaBalancer balancer = new PeakEwmaBalancer();
    List<Endpoint> two = endpoints(2);
    Map<Endpoint, Integer> picks = new HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      Endpoint e = balancer.pick(two, null);
      picks.merge(e, 1, Integer::sum);
      long latency = e.equals(endpoint(1)) ? 50_000_000L : 1_000_000L;
      balancer.onResult(e, AttemptOutcome.SUCCESS, 200, latency);
    }
    assertThat(picks.get(endpoint(2))).isGreaterThan(1_800);
  }

  @Test
  void ewmaCountsAFailureAsASlowAnswer() {
    PeakEwmaBalancer balancer = new PeakEwmaBalancer();
    List<Endpoint> two = endpoints(2);
    Map<Endpoint, Integer> picks = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      Endpoint e = balancer.pick(two, null);
      picks.merge(e, 1, Integer::sum);
      if (e.equals(endpoint(1))) {
        balancer.onResult(e, AttemptOutcome.CONNECT_FAILED, 0, 100_000L);
      } else {
        balancer.onResult(e, AttemptOutcome.SUCCESS, 200, 5_000_000L);
      }
    }
    assertThat(picks.get(endpoint(1))).isLessThan(50);
  }

  @Test
  void slowStartGivesANewEndpointASmallShareFirst() {
    SlowStartBalancer balancer =
        new SlowStartBalancer(new LeastRequestBalancer(), Duration.ofMinutes(10));
    List<Endpoint> four = endpoints(4);
    balancer.pick(four, null);
    List<Endpoint> five = endpoints(5);
    Map<Endpoint, Integer> picks = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      Endpoint e = balancer.pick(five, null);
      picks.merge(e, 1, Integer::sum);
      balancer.onResult(e, AttemptOutcome.SUCCESS, 200, 1_000_000);
    }
    // A full share would be 2 000 of 10 000; at the start of its window it gets about a tenth.
    assertThat(picks.get(endpoint(5))).isBetween(50, 600);
    assertThat(balancer.share(endpoint(5))).isLessThan(0.2);
    assertThat(balancer.share(endpoint(1))).isEqualTo(1.0);
  }
}
