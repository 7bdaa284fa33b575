package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import io.portico.testing.OriginPerTest;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An OpenID provider whose discovery document cannot be had: the route's clients get 503, and the
 * log says which URL failed and why (refused, a status, not a metadata document, one without a
 * {@code jwks_uri}), since that line is all an operator has to go on.
 */
class OidcDiscoveryFailureTest {

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private HttpServer provider;
  private LogCapture log;

  @BeforeEach
  void start() throws Exception {
    log = LogCapture.capture();
    provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    provider.start();
  }

  @AfterEach
  void stop() throws Exception {
    provider.stop(0);
    Cleanup.close(log);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + provider.getAddress().getPort() + path;
  }

  private void answer(String path, int status, String body) {
    provider.createContext(
        path,
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
  }

  private String failureLoggedFor(String discovery) throws Exception {
    GatewayFixture gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/api" ]
                service: backend
                plugins:
                  openid-connect:
                    discovery: "%s"
                    timeout: 2s
            """
                .formatted(env.origin().authority(), discovery));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> log.warnings().stream().anyMatch(w -> w.contains("openid-connect")));
    assertThat(
            gw.send(
                    HttpRequest.newBuilder(gw.uri("/api/hello"))
                        .header("Authorization", "Bearer a.b.c"))
                .statusCode())
        .isEqualTo(503);
    assertThat(env.origin().requestCount()).isZero();
    return log.warnings().stream()
        .filter(w -> w.contains("openid-connect"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aRefusedConnectionIsLoggedWithTheUrl() throws Exception {
    String discovery = "http://127.0.0.1:1/.well-known/openid-configuration";
    assertThat(failureLoggedFor(discovery))
        .contains("the discovery document at " + discovery + " cannot be used")
        .contains("the connection failed")
        .contains("answered 503 until a later attempt");
  }

  @Test
  void aStatusOtherThan200IsLogged() throws Exception {
    answer("/missing", 404, "{}");
    assertThat(failureLoggedFor(url("/missing"))).contains("it answered 404, not 200");
  }

  @Test
  void aDocumentThatIsNotProviderMetadataIsLogged() throws Exception {
    answer("/not-metadata", 200, "{\"hello\": \"world\"}");
    assertThat(failureLoggedFor(url("/not-metadata")))
        .contains("it is not an OpenID provider metadata document (");
  }

  @Test
  void metadataWithoutJwksUriIsLogged() throws Exception {
    String issuer = url("");
    answer(
        "/no-jwks",
        200,
        """
        {"issuer": "%1$s", "authorization_endpoint": "%1$s/authorize",
         "response_types_supported": ["code"], "subject_types_supported": ["public"],
         "id_token_signing_alg_values_supported": ["RS256"]}
        """
            .formatted(issuer));
    assertThat(failureLoggedFor(url("/no-jwks")))
        .contains("it is not an OpenID provider metadata document (")
        .contains("JWK set");
  }
}
