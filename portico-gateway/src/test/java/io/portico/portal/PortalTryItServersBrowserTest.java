package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.TestOrigin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An operator-published OpenAPI document whose {@code servers}, at the document, a path and an
 * operation, name other origins (another server, and the portal's own origin under a prefix): in a
 * real browser (Debian's headless Chromium), every try-it call still goes to the gateway, at the
 * route's path, with the key, and the other server sees nothing. Fails with the document's {@code
 * servers} kept: the browser aims the call elsewhere and gets no answer. Skipped when {@code
 * /usr/bin/chromium} is not installed.
 */
class PortalTryItServersBrowserTest {

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;
  private static WebDriverWait wait;
  private static TestOrigin elsewhere;

  @BeforeAll
  static void start() throws Exception {
    elsewhere = TestOrigin.start("elsewhere");
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                origin ->
                    """
                    admin:
                      address: 127.0.0.1:0
                    services:
                      - name: backend
                        targets: [ "%s" ]
                    routes:
                      - name: hello
                        paths: [ "/hello", "/headers" ]
                        service: backend
                        plugins:
                          cors:
                            allow-origins: [ "*" ]
                    """
                        .formatted(origin.authority()));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui, elsewhere);
  }

  @Test
  void tryItCallsOnlyTheGatewayWhateverServersTheDocumentNames() throws Exception {
    String portal = gw.gateway().portalUrl();
    URI portalUri = URI.create(portal);
    String portalOrigin = portalUri.getScheme() + "://" + portalUri.getRawAuthority();
    String other = "http://" + elsewhere.authority();
    String document =
        """
        {"openapi":"3.0.3","info":{"title":"Greetings","version":"1.0"},
         "servers":[{"url":"%1$s/doc"}],
         "paths":{
           "/hello":{"servers":[{"url":"%1$s/path"}],
             "get":{"operationId":"sayHello","summary":"Says hello",
               "responses":{"200":{"description":"a greeting"}}}},
           "/headers":{
             "get":{"operationId":"showHeaders","summary":"Shows headers",
               "servers":[{"url":"{origin}/portal/api","variables":{"origin":{"default":"%2$s"}}}],
               "responses":{"200":{"description":"the headers"}}}}}}
        """
            .formatted(other, portalOrigin);
    PortalClient client = new PortalClient(gw::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    ok(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            "{\"title\":\"Greetings\",\"description\":\"Says hello\",\"openapi_document\":"
                + document
                + "}"),
        200);

    // the document as the viewer gets it: the gateway is its only server
    JsonNode served = ok(client.as(admin, "GET", "/portal/api/apis/hello/openapi", null), 200);
    String gatewayUrl = served.at("/servers/0/url").asText();
    assertThat(served.get("servers")).hasSize(1);
    assertThat(served.at("/paths/~1hello/servers").isMissingNode()).isTrue();
    assertThat(served.at("/paths/~1headers/get/servers").isMissingNode()).isTrue();
    assertThat(served.toString()).doesNotContain(elsewhere.authority());

    driver.get(portal);
    ui.signInToPortal("admin");
    driver.get(portal + "#/api/hello");
    // the key is typed once the viewer has drawn the page, which may render the field again
    chrome.visible(By.cssSelector(".opblock-get .opblock-summary-path"));
    chrome.type(By.id("try-key"), "pk_typed-by-the-developer");
    wait.until(
        d ->
            "pk_typed-by-the-developer"
                .equals(d.findElement(By.id("try-key")).getDomProperty("value")));

    assertThat(tryIt("/hello")).isEqualTo(gatewayUrl + "/hello");
    assertThat(tryIt("/headers")).isEqualTo(gatewayUrl + "/headers");
    // both calls reached the gateway (which refused the made-up key), each after the preflight
    // that the apikey header calls for; nothing reached the other server
    assertThat(gw.records())
        .extracting(r -> r.method() + " " + r.path())
        .contains("OPTIONS /hello", "OPTIONS /headers");
    assertThat(gw.records())
        .extracting(r -> r.method() + " " + r.path() + " " + r.status())
        .contains("GET /hello 401", "GET /headers 401");
    assertThat(elsewhere.requestCount()).isZero();
  }

  /**
   * Runs the try-it panel of the operation on {@code path}: the URL it called, once the gateway
   * answered (401: the route's key-auth refuses the made-up key; a call the browser refused to make
   * shows no status).
   */
  private static String tryIt(String path) {
    String block = ".opblock-get:has([data-path='" + path + "']) ";
    chrome.visible(By.cssSelector(block + ".opblock-summary-path")).click();
    chrome.visible(By.cssSelector(block + "button.try-out__btn")).click();
    chrome.visible(By.cssSelector(block + "button.execute")).click();
    WebElement status =
        chrome.visible(
            By.cssSelector(block + ".live-responses-table tr.response .response-col_status"));
    wait.until(ExpectedConditions.textToBePresentInElement(status, "401"));
    return chrome.visible(By.cssSelector(block + ".request-url pre")).getText();
  }
}
