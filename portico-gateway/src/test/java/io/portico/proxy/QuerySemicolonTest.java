package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Parameter cloaking with {@code ;}: the router, the upstream (every current server framework) and
 * the access log read {@code a=1;apikey=k} as one parameter {@code a}. The plugins' view of the
 * query must read it the same way, or key-auth would authenticate with a key that {@code
 * hide-credentials} then forwards upstream, and a route's query condition would disagree with a
 * plugin's reading of the same request.
 */
class QuerySemicolonTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                credentials:
                  key-auth: { key: "%s" }
            routes:
              - name: keyed
                paths: [ /keyed ]
                strip-prefix: true
                service: backend
                plugins:
                  key-auth: { header-names: [], query-names: [ apikey ], hide-credentials: true }
            """
                .formatted(env.origin().authority(), KeyHash.of("alice-secret-key")));
  }

  private int before;

  @BeforeEach
  void count() {
    before = env.origin().requestCount();
  }

  @Test
  void aKeyAfterASemicolonIsPartOfTheValueBeforeItNotAKey() throws Exception {
    assertThat(gw.get("/keyed/hello?lang=en;apikey=alice-secret-key").statusCode()).isEqualTo(401);
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void aHiddenKeyIsRemovedAndTheRestOfTheQueryGoesAsSent() throws Exception {
    assertThat(gw.get("/keyed/hello?apikey=alice-secret-key&lang=en;x=1").statusCode())
        .isEqualTo(200);
    assertThat(env.origin().lastRequest().uri()).isEqualTo("/hello?lang=en;x=1");
  }
}
