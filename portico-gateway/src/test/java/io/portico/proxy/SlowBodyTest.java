package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request body trickled slowly enough to dodge the idle timeout meets the total body deadline.
 */
class SlowBodyTest {

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
                timeouts: { idle: 5s }
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            limits:
              body-timeout: 1s
            """
                .formatted(env.origin().authority()));
  }

  @Test
  void answers408WhenABodyTricklesPastTheBodyTimeout() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n");
      long start = System.nanoTime();
      StringBuilder got = new StringBuilder();
      for (int i = 0; i < 20 && got.length() == 0; i++) {
        try {
          c.send("a");
        } catch (java.io.IOException closed) {
          break;
        }
        got.append(c.readAvailable(300));
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      if (got.length() == 0) {
        got.append(c.readAvailable(500));
      }
      assertThat(got.toString()).startsWith("HTTP/1.1 408").contains("request-body-timeout");
      assertThat(elapsedMs).isLessThan(4000);
    }
  }

  @Test
  void aBodyThatArrivesInTimeIsForwarded() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
              .readUntil("\r\n\r\n5", 3000);
      assertThat(got).startsWith("HTTP/1.1 200");
    }
  }
}
