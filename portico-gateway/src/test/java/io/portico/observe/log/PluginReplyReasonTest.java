package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Reply;
import io.portico.testing.AccessLogFile;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OnePhasePlugin;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A third-party plugin's refusal reason ({@link Reply#withReason}) reaches the access log's {@code
 * failure} field, whether the plugin answers at once or after asynchronous work, and never the
 * client.
 */
class PluginReplyReasonTest {

  private static final Reply REVOKED =
      Reply.problem(
              HttpResponseStatus.UNAUTHORIZED,
              "authentication-required",
              "Unauthorized",
              "A valid credential is required.")
          .withReason("token_revoked");

  /** Refuses requests with {@code X-Revoked}: at once, or after a stage with {@code X-Async}. */
  private static Outcome revoke(Exchange exchange) {
    if (!exchange.request().headers().contains("X-Revoked")) {
      return Outcome.proceed();
    }
    if (exchange.request().headers().contains("X-Async")) {
      return Outcome.await(CompletableFuture.supplyAsync(() -> REVOKED));
    }
    return REVOKED;
  }

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;
  private static AccessLogFile log;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ /api ]
                strip-prefix: true
                service: backend
                plugins:
                  revocation: {}
            %s
            """
                .formatted(env.origin().authority(), AccessLogFile.RUNTIME),
            OnePhasePlugin.access("revocation", 1000, PluginReplyReasonTest::revoke));
    log = new AccessLogFile(gw);
  }

  @Test
  void theReasonOfAReplyIsTheFailureOfItsLine() throws Exception {
    HttpResponse<String> now =
        gw.send(HttpRequest.newBuilder(gw.uri("/api/now")).header("X-Revoked", "1"));
    HttpResponse<String> later =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/api/later"))
                .header("X-Revoked", "1")
                .header("X-Async", "1"));
    HttpResponse<String> passed = gw.send(HttpRequest.newBuilder(gw.uri("/api/hello")));

    assertThat(now.statusCode()).isEqualTo(401);
    assertThat(later.statusCode()).isEqualTo(401);
    assertThat(passed.statusCode()).isEqualTo(200);
    assertThat(log.failureOf("/api/now")).isEqualTo("token_revoked");
    assertThat(log.failureOf("/api/later")).isEqualTo("token_revoked");
    assertThat(log.failureOf("/api/hello")).isNull();
    assertThat(now.body()).doesNotContain("token_revoked");
  }
}
