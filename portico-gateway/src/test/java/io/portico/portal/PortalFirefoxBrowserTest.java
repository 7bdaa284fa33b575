package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.app.Gateway;
import io.portico.testing.Cleanup;
import io.portico.testing.FirefoxBidi;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The developer portal in Firefox: Debian's headless {@code firefox-esr} driven over WebDriver BiDi
 * ({@link FirefoxBidi}), against a running gateway with a real origin, as the portal's Chromium
 * tests do. A developer signs in, the catalogue lists the API and its plan, the API's OpenAPI
 * viewer renders its operation and its try-it panel gets a 200 through the gateway with the
 * developer's key; an operator's plans page lists the plan; no script error and no
 * Content-Security-Policy refusal on the way. Screenshots go to {@code
 * target/firefox-screenshots/portal-*.png}. Skipped when {@code /usr/bin/firefox-esr} is not
 * installed (failed when {@code CI=true}).
 */
class PortalFirefoxBrowserTest {

  private static final String OPENAPI =
      """
      {"openapi":"3.0.3","info":{"title":"Greetings","version":"1.0"},
       "paths":{"/hello":{"get":{"operationId":"sayHello","summary":"Says hello",
         "responses":{"200":{"description":"a greeting"}}}}}}
      """;

  private static TestOrigin origin;
  private static GatewayFixture gw;
  private static FirefoxBidi firefox;

  @BeforeAll
  static void start() throws Exception {
    try {
      firefox = FirefoxBidi.start("firefox-screenshots", 1280, 1000);
      origin = TestOrigin.start();
      gw =
          GatewayFixture.start(
              """
              admin:
                address: 127.0.0.1:0
              portal:
                sign-up: false
              services:
                - name: backend
                  targets: [ "%s" ]
              routes:
                - name: hello
                  paths: [ "/hello" ]
                  service: backend
                  plugins:
                    cors:
                      allow-origins: [ "*" ]
              """
                  .formatted(origin.authority()),
              Map.of(Gateway.ADMIN_PASSWORD_ENV, PASSWORD));
    } catch (Throwable e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(firefox, gw, origin);
  }

  /** The errors logged since the last call, but for the browser's own {@code /favicon.ico}. */
  private static List<String> errors() {
    return firefox.errors().stream().filter(e -> !e.contains("favicon.ico")).toList();
  }

  private static void signIn(String portal, String name) throws Exception {
    firefox.navigate(portal);
    firefox.visible("#sign-in");
    firefox.type("#name", name);
    firefox.type("#password", PASSWORD);
    firefox.click("#sign-in button[type=submit]");
    firefox.text("#who-name", name);
  }

  @Test
  void aDeveloperSeesTheCatalogueAndTriesTheApiInTheViewerAnOperatorSeesThePlans()
      throws Exception {
    PortalClient client = new PortalClient(gw::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    client.account(admin, "dev", "developer");
    ok(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            "{\"title\":\"Greetings\",\"description\":\"Says hello\",\"openapi_document\":"
                + OPENAPI
                + "}"),
        200);
    ok(
        client.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"starter\",\"description\":\"to try\",\"requests_per_minute\":60,"
                + "\"auto_approve\":true}"),
        201);
    PortalClient.Session dev = client.signIn("dev");
    String app = client.application(dev, "shop");
    client.subscribe(dev, app, "hello", "starter");
    String key = client.key(dev, app);
    String portal = gw.gateway().portalUrl();

    // The developer signs in; the catalogue lists the API and its plan.
    signIn(portal, "dev");
    firefox.navigate(portal + "#/catalogue");
    firefox.text("main", "Greetings");
    firefox.text("main", "starter");
    firefox.screenshot("portal-catalogue");

    // The viewer renders the operation; its try-it panel calls the gateway with the key.
    firefox.navigate(portal + "#/api/hello");
    firefox.visible(".opblock-summary-path[data-path='/hello']");
    assertThat(firefox.textOf("#openapi-viewer")).contains("Says hello");
    firefox.type("#try-key", key);
    firefox.screenshot("portal-viewer");
    firefox.click(".opblock-summary-path[data-path='/hello']");
    firefox.click("button.try-out__btn");
    firefox.click("button.execute");
    firefox.text(".live-responses-table tr.response .response-col_status", "200");
    firefox.screenshot("portal-try-it");
    // Before signing in, the page asks who is signed in and is told no one (401): nothing else.
    assertThat(errors()).allMatch(e -> e.contains("/auth/me"));

    // An operator's plans page lists the plan.
    firefox.signOut();
    signIn(portal, "admin");
    firefox.click("a[data-page=plans]");
    firefox.heading("Plans");
    firefox.text("[data-testid=plan]", "starter");
    firefox.text("[data-testid=plan]", "to try");
    firefox.screenshot("portal-plans");
    assertThat(errors()).isEmpty();
    firefox.assertNoPrompt();
  }
}
