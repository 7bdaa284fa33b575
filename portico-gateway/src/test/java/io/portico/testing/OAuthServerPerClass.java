package io.portico.testing;

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
