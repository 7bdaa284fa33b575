package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A literal pattern gives its last match again for an equal path, and never a match of another path
 * or route: what a reused match says is what a new one would say.
 */
class RouteMatchReuseTest {

  private static Router<String> router() {
    return Router.<String>builder()
        .add(RouteSpec.builder("api").paths("/api").build(), "api")
        .add(RouteSpec.builder("exact").paths("/health").exact().build(), "exact")
        .add(RouteSpec.builder("root").paths("/").build(), "root")
        .build();
  }

  private static RouteMatch<String> match(Router<String> router, String path) {
    return router.match("example.com", "GET", path, null, null);
  }

  @Test
  void anEqualPathGetsTheSameMatchAndItSaysWhatANewOneWould() {
    Router<String> router = router();
    RouteMatch<String> first = match(router, new String("/api/items"));
    RouteMatch<String> second = match(router, new String("/api/items"));

    assertThat(second).isSameAs(first);
    assertThat(second.value()).isEqualTo("api");
    assertThat(second.path()).isEqualTo("/api/items");
    assertThat(second.strippedPath()).isEqualTo("/items");
    assertThat(match(router, "/health")).isSameAs(match(router, "/health"));
  }

  @Test
  void anotherPathOrRouteNeverSeesTheLastMatch() {
    Router<String> router = router();
    RouteMatch<String> items = match(router, "/api/items");
    RouteMatch<String> orders = match(router, "/api/orders");
    RouteMatch<String> root = match(router, "/other");
    RouteMatch<String> health = match(router, "/health");
    RouteMatch<String> again = match(router, "/api/items");

    assertThat(orders).isNotSameAs(items);
    assertThat(orders.path()).isEqualTo("/api/orders");
    assertThat(orders.strippedPath()).isEqualTo("/orders");
    assertThat(root.value()).isEqualTo("root");
    assertThat(root.path()).isEqualTo("/other");
    assertThat(health.value()).isEqualTo("exact");
    assertThat(health.matchedLength()).isEqualTo("/health".length());
    assertThat(again.value()).isEqualTo("api");
    assertThat(again.path()).isEqualTo("/api/items");
    assertThat(again).isEqualTo(items);
  }

  @Test
  void templatesStillGetTheirOwnParameters() {
    Router<String> router =
        Router.<String>builder()
            .add(RouteSpec.builder("users").paths("/users/{id}").build(), "users")
            .build();
    RouteMatch<String> seven = match(router, "/users/7");
    RouteMatch<String> eight = match(router, "/users/8");

    assertThat(seven.pathParameters()).isEqualTo(Map.of("id", "7"));
    assertThat(eight.pathParameters()).isEqualTo(Map.of("id", "8"));
  }

  @Test
  void threadsMatchingDifferentPathsEachGetTheirOwnPath() throws Exception {
    Router<String> router = router();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String path = "/api/thread-" + t;
        wrong.add(
            pool.submit(
                () -> {
                  int mismatches = 0;
                  for (int i = 0; i < 20_000; i++) {
                    RouteMatch<String> m = match(router, i % 2 == 0 ? path : "/api/shared");
                    String expected = i % 2 == 0 ? path : "/api/shared";
                    if (!m.path().equals(expected)
                        || !m.value().equals("api")
                        || !m.strippedPath().equals(expected.substring(4))) {
                      mismatches++;
                    }
                  }
                  return mismatches;
                }));
      }
      for (Future<Integer> f : wrong) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
