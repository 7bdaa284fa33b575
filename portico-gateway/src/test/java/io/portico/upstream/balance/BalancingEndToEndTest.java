package io.portico.upstream.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code balancer} section through a real gateway and real origins, and its config checks. */
class BalancingEndToEndTest {

  @Test
  void consistentHashOnAHeaderSendsAUserToOneOriginAndSpreadsUsers() throws Exception {
    try (TestOrigin a = TestOrigin.start("a");
        TestOrigin b = TestOrigin.start("b");
        TestOrigin c = TestOrigin.start("c");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                services:
                  - name: users
                    targets: [ "%s", "%s", "%s" ]
                    balancer:
                      policy: consistent-hash
                      hash-on: header
                      hash-key: X-User
                routes:
                  - name: all
                    paths: [ / ]
                    service: users
                """
                    .formatted(a.authority(), b.authority(), c.authority()))) {
      Set<String> seenByUsers = new HashSet<>();
      for (int u = 0; u < 12; u++) {
        Set<String> origins = new HashSet<>();
        for (int i = 0; i < 4; i++) {
          origins.add(
              gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("X-User", "user-" + u))
                  .body());
        }
        assertThat(origins).as("user-" + u + " always reaches one origin").hasSize(1);
        seenByUsers.addAll(origins);
      }
      assertThat(seenByUsers).hasSizeGreaterThan(1);
    }
  }

  @Test
  void leastRequestAndEwmaServeEveryOrigin() throws Exception {
    for (String policy : List.of("least-request", "ewma")) {
      try (TestOrigin a = TestOrigin.start("a");
          TestOrigin b = TestOrigin.start("b");
          GatewayFixture gw =
              GatewayFixture.start(
                  """
                  services:
                    - name: users
                      targets: [ "%s", "%s" ]
                      balancer:
                        policy: %s
                        slow-start: 30s
                  routes:
                    - name: all
                      paths: [ / ]
                      service: users
                  """
                      .formatted(a.authority(), b.authority(), policy))) {
        for (int i = 0; i < 40; i++) {
          assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
        }
        assertThat(a.requestCount() + b.requestCount()).isEqualTo(40);
        assertThat(a.requestCount()).as(policy).isPositive();
        assertThat(b.requestCount()).as(policy).isPositive();
      }
    }
  }

  @Test
  void reportsAnUnknownPolicyAndAMissingHashKey() {
    ConfigResult result =
        ConfigFiles.parse(
            """
            services:
              - name: a
                targets: [ "127.0.0.1:1" ]
                balancer: { policy: random }
              - name: b
                targets: [ "127.0.0.1:1" ]
                balancer: { policy: consistent-hash, hash-on: cookie }
            routes:
              - name: all
                paths: [ / ]
                service: a
            """,
            "portico.yaml",
            Path.of("."),
            Map.of(),
            PluginRegistry.of(List.of()));

    assertThat(result.problems().list())
        .extracting(Problem::toString)
        .anySatisfy(p -> assertThat(p).contains("services[0].balancer.policy").contains("ewma"))
        .anySatisfy(p -> assertThat(p).contains("services[1].balancer").contains("hash-key"));
  }
}
