package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console's services, routes and history pages in a real browser against a running gateway and
 * a real origin: objects created through the pages serve traffic, every change shows its YAML diff
 * before it is applied, problems show at their field and change nothing, a rollback from the
 * history page takes effect, and a viewer can change nothing, in the page or through the API.
 */
class ConsoleConfigPagesBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final String TOKEN = "config-pages-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path profile;
  @TempDir static Path store;
  private static TestOrigin origin;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                origin ->
                    ConsoleBrowser.scriptAdmin(KeyHash.of(TOKEN), store, origin.authority())
                        + """
                    routes:
                      - name: file-route
                        paths: [ "/file" ]
                        strip-prefix: true
                        service: backend
                        plugins:
                          request-id: {}
                          cors: { allow-origins: [ "https://app.example" ] }
                    """);
    gw = ui.gateway();
    browser = ui.chrome();
    origin = ui.origin();
    gw.createAccount(TOKEN, "watcher", "viewer", PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    return gw.adminAs(TOKEN, method, path, body);
  }

  private static int versions() throws Exception {
    return JSON.readTree(admin("GET", "/config/versions", null).body()).get("versions").size();
  }

  private static String text(By by) {
    return browser.visible(by).getText();
  }

  private static void setJson(String kind, String json) {
    WebElement editor = browser.visible(By.id(kind + "-json"));
    editor.clear();
    editor.sendKeys(json);
    editor.sendKeys(Keys.TAB); // the change event fills the form from the JSON
  }

  @Test
  void servicesAndRoutesAreMadeInThePagesAfterTheirDiffAndRolledBackFromTheHistory()
      throws Exception {
    ui.signIn("admin");

    // A service, created in the page: the diff first, applied on confirmation.
    browser.go("services", "Services");
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=service-name]")).size() == 1);
    browser.screenshot("services");
    browser.click(By.id("services-new"));
    browser.type(By.id("services-field-name"), "shop");
    browser.type(By.id("services-field-targets"), origin.authority());
    browser.click(By.id("services-review"));
    assertThat(text(By.cssSelector("[data-testid=diff]")))
        .contains("--- /dev/null", "+++ b/services/shop", "+name: shop", origin.authority());
    assertThat(admin("GET", "/services/shop", null).statusCode()).isEqualTo(404);
    browser.click(By.id("services-apply"));
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Service shop"));
    assertThat(text(By.cssSelector("[data-testid=service-health]"))).contains(origin.authority());
    assertThat(text(By.cssSelector("[data-testid=service-discovery]"))).contains("static");
    browser.screenshot("service");

    // A route to it, written as JSON in the editor; then called through the gateway.
    browser.go("routes", "Routes");
    browser.click(By.id("routes-new"));
    browser.type(By.id("routes-field-name"), "shop-route");
    setJson("routes", "{\"paths\": [\"/shop\"], \"service\": \"shop\", \"strip-prefix\": true}");
    assertThat(browser.visible(By.id("routes-field-paths")).getAttribute("value"))
        .isEqualTo("/shop");
    browser.click(By.id("routes-review"));
    assertThat(text(By.cssSelector("[data-testid=diff]")))
        .contains("+name: shop-route", "+service: shop");
    browser.screenshot("route-review");
    browser.click(By.id("routes-apply"));
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Route shop-route"));
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(200);

    // An invalid change: the problem at its field, nothing applied, no diff offered.
    int before = versions();
    browser.type(By.id("routes-field-service"), "nowhere");
    browser.click(By.id("routes-review"));
    assertThat(text(By.cssSelector("[data-testid=error-service]")))
        .contains("$.service")
        .contains("nowhere");
    assertThat(browser.driver().findElements(By.id("routes-apply"))).isEmpty();
    assertThat(browser.visible(By.id("routes-field-service")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    browser.screenshot("route-problem");
    assertThat(versions()).isEqualTo(before);
    assertThat(JSON.readTree(admin("GET", "/routes/shop-route", null).body()).get("service"))
        .hasToString("\"shop\"");

    // A name that is markup: the problem quotes it as text.
    browser.go("routes", "Routes");
    browser.click(By.id("routes-new"));
    browser.type(By.id("routes-field-name"), XSS);
    browser.type(By.id("routes-field-service"), "shop");
    browser.click(By.id("routes-review"));
    assertThat(text(By.cssSelector("[data-testid=error-name]"))).contains(XSS);
    assertThat(browser.driver().findElements(By.tagName("img"))).isEmpty();
    browser.assertNoAlert();

    // The routes list is searched on the server; a route's plugins show in run order.
    browser.go("routes", "Routes");
    browser.type(By.id("routes-q"), "FILE");
    browser
        .waiting()
        .until(
            d ->
                d.findElements(By.cssSelector("[data-testid=route-name]")).size() == 1
                    && d.findElement(By.id("routes-status")).getText().equals("1–1 of 1."));
    browser.screenshot("routes");
    browser.click(By.cssSelector("[data-testid=route-name]"));
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Route file-route"));
    JsonNode compiled = JSON.readTree(admin("GET", "/routes?q=file-route", null).body());
    java.util.List<String> plugins = new java.util.ArrayList<>();
    compiled.at("/routes/0/plugins").forEach(p -> plugins.add(p.asText()));
    assertThat(plugins).contains("request-id", "cors");
    assertThat(text(By.cssSelector("[data-testid=route-plugins]")))
        .isEqualTo(String.join("\n", plugins));

    // History: the route's version against the one before, then a rollback to the service only.
    browser.go("history", "Config history");
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=version-row]")).size() == 2);
    for (WebElement row :
        browser.driver().findElements(By.cssSelector("[data-testid=version-row]"))) {
      if (row.findElement(By.cssSelector("[data-testid=version-number]")).getText().equals("2")) {
        row.findElement(By.xpath(".//button[text()='Diff']")).click();
      }
    }
    assertThat(text(By.cssSelector("[data-testid=version-diff-text]")))
        .contains("+++ b/routes/shop-route", "+  - /shop");
    browser.screenshot("history");
    for (WebElement row :
        browser.driver().findElements(By.cssSelector("[data-testid=version-row]"))) {
      if (row.findElement(By.cssSelector("[data-testid=version-number]")).getText().equals("1")) {
        row.findElement(By.cssSelector("[data-testid=rollback]")).click();
      }
    }
    browser.waiting().until(ExpectedConditions.alertIsPresent()).accept();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=history-message]"), "now version 3"));
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(404);
    assertThat(admin("GET", "/services/shop", null).statusCode()).isEqualTo(200);

    // A viewer reads every page but finds no control that writes, and the API refuses it.
    browser.signOut();
    ui.signIn("watcher");
    browser.go("services", "Services");
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=service-name]")).size() == 2);
    assertThat(browser.driver().findElements(By.id("services-new"))).isEmpty();
    browser.driver().get(gw.gateway().consoleUrl() + "#/services/shop");
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Service shop"));
    browser.visible(By.id("services-json"));
    assertThat(browser.driver().findElements(By.id("services-review"))).isEmpty();
    assertThat(browser.driver().findElements(By.id("services-delete"))).isEmpty();
    assertThat(browser.visible(By.id("services-field-targets")).getAttribute("readonly"))
        .isNotNull();
    browser.go("history", "Config history");
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=version-row]")).size() == 3);
    assertThat(browser.driver().findElements(By.cssSelector("[data-testid=rollback]"))).isEmpty();
    Object status =
        browser.async(
            """
            const done = arguments[arguments.length - 1];
            fetch('/auth/me').then((r) => r.json()).then((me) => Promise.all([
              fetch('/services/shop', {method: 'DELETE', headers: {'X-CSRF-Token': me.csrf_token}}),
              fetch('/config/versions/2/rollback', {method: 'POST', headers: {'X-CSRF-Token': me.csrf_token}}),
              fetch('/routes?dry_run=true', {method: 'POST', headers: {'X-CSRF-Token': me.csrf_token,
                'Content-Type': 'application/json'}, body: '{"name": "x", "service": "shop"}'})]))
              .then((rs) => done(rs.map((r) => r.status).join(',')));
            """);
    assertThat(status).isEqualTo("403,403,403");
    assertThat(admin("GET", "/services/shop", null).statusCode()).isEqualTo(200);
    assertThat(versions()).isEqualTo(3);
  }
}
