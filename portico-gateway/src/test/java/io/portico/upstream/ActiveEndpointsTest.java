package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.PoolConfig;
import io.portico.config.RetryConfig;
import io.portico.config.TimeoutsConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which endpoint addresses leave the active snapshot, on a reload or when a source drops them. */
class ActiveEndpointsTest {

  private static final Endpoint A = endpoint(9001);
  private static final Endpoint B = endpoint(9002);
  private static final Endpoint C = endpoint(9003);

  private final List<Set<InetSocketAddress>> gone = new ArrayList<>();
  private final ActiveEndpoints active = new ActiveEndpoints(gone::add);

  private static Endpoint endpoint(int port) {
    return new Endpoint(new InetSocketAddress("127.0.0.1", port), "127.0.0.1:" + port, 1);
  }

  private static UpstreamService service(String name, EndpointSource source) {
    return new UpstreamService(
        name,
        source,
        new WeightedRoundRobinBalancer(),
        TimeoutsConfig.DEFAULTS,
        PoolConfig.DEFAULTS,
        RetryConfig.DEFAULTS,
        new RetryBudget(20),
        null);
  }

  private static PoolEvictionTest.TestSource source(Endpoint... endpoints) {
    PoolEvictionTest.TestSource s = new PoolEvictionTest.TestSource();
    s.set(List.of(endpoints));
    return s;
  }

  @Test
  void reportsTheAddressesAReloadRemovedFromEveryService() {
    active.track(
        List.of(
            service("users", new StaticEndpointSource(List.of(A, B))),
            service("orders", new StaticEndpointSource(List.of(C)))));

    active.track(List.of(service("users", new StaticEndpointSource(List.of(B)))));

    assertThat(gone).containsExactly(Set.of(A.poolKey(), C.poolKey()));
    assertThat(active.addresses()).containsExactly(B.poolKey());
  }

  @Test
  void keepsAnAddressWhileAnyServiceStillListsIt() {
    PoolEvictionTest.TestSource users = source(A, B);
    PoolEvictionTest.TestSource orders = source(A);
    active.track(List.of(service("users", users), service("orders", orders)));

    users.set(List.of(B));

    assertThat(gone).isEmpty();

    orders.set(List.of());

    assertThat(gone).containsExactly(Set.of(A.poolKey()));
  }

  @Test
  void followsOnlyTheSourcesOfTheActiveSnapshot() {
    PoolEvictionTest.TestSource old = source(A);
    active.track(List.of(service("users", old)));
    PoolEvictionTest.TestSource replacement = source(A, B);
    active.track(List.of(service("users", replacement)));

    old.set(List.of());
    assertThat(gone).as("a source of an older snapshot is no longer followed").isEmpty();

    replacement.set(List.of(B));
    assertThat(gone).containsExactly(Set.of(A.poolKey()));
  }

  @Test
  void reportsNothingWhenAStaleSourceKeepsItsEndpoints() {
    PoolEvictionTest.TestSource users = source(A);
    active.track(List.of(service("users", users)));

    users.fail("registry unreachable");

    assertThat(gone).isEmpty();
    assertThat(active.addresses()).containsExactly(A.poolKey());
  }

  @Test
  void stopsFollowingWhenClosed() {
    PoolEvictionTest.TestSource users = source(A);
    active.track(List.of(service("users", users)));

    active.close();
    users.set(List.of());

    assertThat(gone).isEmpty();
  }
}
