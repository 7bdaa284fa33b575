package io.portico.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom plugin dropped in as a jar, whose access decision completes on another thread: the
 * exchange resumes on its event loop and either goes upstream or answers with the plugin's reply.
 */
class AsyncPluginEndToEndTest {

  @TempDir static Path dir;
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.write(plugins.resolve("async.jar"), TestAsyncPluginFactory.class);
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
                plugins:
                  test-async: { delay-ms: 30 }
            runtime:
              io-threads: 1
              watch-config: false
              access-log: off
              plugin-dir: %s
            """
                .formatted(env.origin().authority(), plugins));
  }

  @Test
  void resumesOnTheEventLoopAndProxiesWhenTheAsyncDecisionAllows() throws Exception {
    HttpResponse<String> r = gw.get("/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("Hello, World!");
    assertThat(r.headers().firstValue("x-resumed-on-loop")).hasValue("true");
  }

  @Test
  void answersWithTheReplyTheAsyncDecisionReturns() throws Exception {
    int before = env.origin().requestCount();
    HttpResponse<String> r =
        gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("X-Deny", "1"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("test-denied");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  /**
   * The body arrives while the plugin waits and is held for the upstream; the plugin refuses, so
   * the held body is released with the exchange (the class's leak check fails otherwise).
   */
  @Test
  void releasesTheBodyThatArrivedWhileTheRefusingPluginWaited() throws Exception {
    int before = env.origin().requestCount();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/hello"))
                  .header("X-Deny", "1")
                  .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100 + i))));
      assertThat(r.statusCode()).isEqualTo(403);
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void servesManyConcurrentSuspendedExchanges() throws Exception {
    var futures =
        new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
    for (int i = 0; i < 50; i++) {
      futures.add(
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(gw.uri("/hello")).build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : futures) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
  }
}
