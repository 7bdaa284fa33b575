package io.portico.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.router.RouteMatch;
import io.portico.router.RouteSpec;
import io.portico.router.Router;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route lookup in a router of 10,000 routes: per service a literal prefix, a two-variable template,
 * a POST-only prefix and a GET-only template; one service in ten on an exact host, one in ten on a
 * wildcard host, the rest on any host; and a handful of regex routes.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar RouterBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * -bm sample -tu ns}, and read the {@code p0.50} rows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouterBenchmark {

  private static final int REGEX_ROUTES = 8;

  @Param({"10000"})
  int routes;

  private Router<String> router;
  private final HttpHeaders headers =
      new DefaultHttpHeaders().add("accept", "application/json").add("user-agent", "bench");

  @Setup
  public void setUp() {
    Router.Builder<String> builder = Router.builder();
    int services = (routes - REGEX_ROUTES) / 4;
    int order = 0;
    for (int n = 0; n < services; n++) {
      String svc = "/svc" + n;
      String[] hosts =
          n % 10 == 0
              ? new String[] {"api.example.com"}
              : n % 10 == 1 ? new String[] {"*.internal.example.com"} : new String[0];
      add(builder, RouteSpec.builder("items-" + n).hosts(hosts).paths(svc + "/v1/items"), order++);
      add(
          builder,
          RouteSpec.builder("orders-" + n)
              .hosts(hosts)
              .paths(svc + "/users/{id}/orders/{orderId}")
              .exact(),
          order++);
      add(
          builder,
          RouteSpec.builder("admin-" + n).hosts(hosts).paths(svc + "/v1/admin").methods("POST"),
          order++);
      add(
          builder,
          RouteSpec.builder("item-" + n).hosts(hosts).paths(svc + "/items/{id}").methods("GET"),
          order++);
    }
    for (int k = 0; k < REGEX_ROUTES; k++) {
      add(builder, RouteSpec.builder("legacy-" + k).paths("~^/legacy" + k + "/[0-9]+"), order++);
    }
    router = builder.build();
    check(literalHit(), "items-1234");
    check(templateHit(), "orders-1234");
    check(exactHostHit(), "items-1230");
    check(regexHit(), "legacy-7");
    if (miss() != null) {
      throw new IllegalStateException("miss matched " + miss().value());
    }
  }

  private static void add(Router.Builder<String> builder, RouteSpec.Builder spec, int order) {
    RouteSpec built = spec.order(order).build();
    builder.add(built, built.name());
  }

  private static void check(RouteMatch<String> match, String expected) {
    if (match == null || !match.value().equals(expected)) {
      throw new IllegalStateException(
          "expected " + expected + ", got " + (match == null ? null : match.value()));
    }
  }

  @Benchmark
  public RouteMatch<String> literalHit() {
    return router.match("gateway.example.com", "GET", "/svc1234/v1/items/42", headers, null);
  }

  @Benchmark
  public RouteMatch<String> templateHit() {
    return router.match(
        "gateway.example.com", "GET", "/svc1234/users/77/orders/9001", headers, "expand=lines");
  }

  @Benchmark
  public RouteMatch<String> exactHostHit() {
    return router.match("api.example.com:443", "GET", "/svc1230/v1/items", headers, null);
  }

  @Benchmark
  public RouteMatch<String> regexHit() {
    return router.match("gateway.example.com", "GET", "/legacy7/123/x", headers, null);
  }

  @Benchmark
  public RouteMatch<String> miss() {
    return router.match("gateway.example.com", "GET", "/nothing/here/at/all", headers, null);
  }
}
