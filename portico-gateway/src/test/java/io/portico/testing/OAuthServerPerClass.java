package io.portico.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OAuth 2.0 and OpenID Connect provider (mock-oauth2-server, in process, on a free port of
 * 127.0.0.1) for all the tests of a class: tokens it issues, its discovery document, JWKS,
 * introspection, token and UserInfo endpoints. Registered as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
 * @RegisterExtension static final OriginPerClass env = new OriginPerClass();
 *
 * @BeforeAll
 * static void start() throws Exception {
 *   gw = env.start(... oauth.server().issuerUrl("default") ...);
 * }
 * }</pre>
 *
 * <p>Lifecycle and ownership: the provider starts before the class's {@code @BeforeAll} methods run
 * and shuts down after its {@code @AfterAll} methods; a gateway that still calls it then gets a
 * refused connection, which its token plugins answer as an unreachable provider. Threading: the
 * provider answers on its own threads; tests share it, and what they enqueue ({@code
 * enqueueCallback}) is taken by the next token request.
 */
public final class OAuthServerPerClass implements BeforeAllCallback, AfterAllCallback {

  private MockOAuth2Server server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = new MockOAuth2Server();
    server.start();
    warmUp();
  }

  /**
   * Fetches the default issuer's discovery document and keys once, with a generous time limit: the
   * provider makes an issuer's signing key and its JSON machinery on first use, which on a busy
   * machine can take longer than a gateway's discovery timeout.
   */
  private void warmUp() {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    for (String url :
        List.of(server.wellKnownUrl("default").toString(), server.jwksUrl("default").toString())) {
      try {
        client.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        throw new UncheckedIOException("the OAuth provider did not answer " + url, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.shutdown();
      server = null;
    }
  }

  /** The running provider. */
  public MockOAuth2Server server() {
    if (server == null) {
      throw new IllegalStateException("the OAuth provider runs only while the test class runs");
    }
    return server;
  }
}
