package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Upstream responses a gateway must not relay or must not reuse the connection after. */
class UpstreamResponseHardeningTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw = env.start(GatewayFixture.proxyAllTo(env.origin().authority()));
  }

  @Test
  void answers502WhenTheUpstreamSendsTooManyHeaderFields() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /many-headers?count=500 HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 3000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");
      assertThat(got).doesNotContain("x-h1:");
    }
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /many-headers?count=90 HTTP/1.1\r\nHost: x\r\n\r\n")
              .readUntil("\r\n\r\n", 3000);
      assertThat(got).startsWith("HTTP/1.1 200").contains("x-h89: v");
    }
  }

  @Test
  void closesTheConnectionOfAHeadResponseFollowedByBodyBytes() throws Exception {
    try (RawClient c = gw.raw()) {
      String head =
          c.send("HEAD /head-with-body HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("\r\n\r\n", 3000);
      assertThat(head).startsWith("HTTP/1.1 200");
      for (int i = 0; i < 3; i++) {
        String next =
            c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("Hello, World!", 3000);
        assertThat(next).as("request %d after the HEAD", i).contains("HTTP/1.1 200");
      }
    }
  }
}
