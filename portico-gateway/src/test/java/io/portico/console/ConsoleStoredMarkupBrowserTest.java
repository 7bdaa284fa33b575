package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.RawClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Markup stored through the admin API and the data path, in every free-text field the console
 * shows, stays text on every page: plugin config values (a route's, a global plugin's), a
 * consumer's {@code custom-id}, a silence's comment, the audit log's details, and the access log's
 * path, query and user agent. Each page is opened in Debian's headless Chromium; the payload sets
 * {@code window.__xss} if it ever runs, and the browser log must hold no load of its {@code src}
 * ({@code /console/x}) and no Content-Security-Policy refusal (which would mean the markup was
 * parsed, whether or not the policy then stopped its handler).
 */
class ConsoleStoredMarkupBrowserTest {

  private static final String XSS = "<img src=x onerror=window.__xss=1>";
  private static final String XSS_PATH = "<img/src=x/onerror=window.__xss=1>";
  private static final String TOKEN = "stored-markup-test-token";

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(origin -> ConsoleBrowser.everyPage(KeyHash.of(TOKEN), origin.authority()));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = ui.waiting();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static void write(String method, String path, String json) throws Exception {
    HttpResponse<String> r = gw.adminAs(TOKEN, method, path, json);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 201);
  }

  /** Opens {@code page}, waits for {@code heading}, and checks that no markup was parsed. */
  private static void visit(String page, String heading) {
    chrome.go(page, heading);
    assertInert(page);
  }

  private static void assertInert(String page) {
    assertThat(((JavascriptExecutor) driver).executeScript("return window.__xss === undefined"))
        .as("the payload ran on " + page)
        .isEqualTo(true);
    assertThat(driver.findElements(By.cssSelector("main img"))).as("an img on " + page).isEmpty();
    List<String> errors = chrome.errors();
    assertThat(errors)
        .as("the browser's errors on " + page)
        .noneMatch(e -> e.contains("Content Security Policy") || e.contains("/console/x"));
    chrome.assertNoAlert();
  }

  @Test
  void markupStoredInEveryShownFieldStaysTextOnEveryPage() throws Exception {
    String json = XSS.replace("\"", "\\\"");
    write(
        "PUT",
        "/routes/markup",
        """
        {"name": "markup", "paths": ["/markup"], "service": "backend",
         "plugins": {"response-headers": {"set": {"X-Note": "%s"}},
                     "request-headers": {"set": {"X-Note": "%s"}}}}
        """
            .formatted(json, json));
    write(
        "PUT",
        "/plugins/response-headers",
        """
        {"set": {"X-Global": "%s"}}
        """
            .formatted(json));
    write(
        "PUT",
        "/consumers/marked",
        """
        {"name": "marked", "custom-id": "%s"}
        """
            .formatted(json));
    write(
        "POST",
        "/alerts/silences",
        """
        {"matchers": {"rule": "orders-errors"}, "duration": "1h", "comment": "%s"}
        """
            .formatted(json));

    ui.signIn("admin");
    assertInert("overview");
    visit("alerts", "Alerts");
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=silence-comment]")).stream()
                .anyMatch(e -> e.getText().equals(XSS)));
    assertInert("alerts");
    visit("audit", "Audit log");
    visit("services", "Services");
    visit("routes", "Routes");
    driver.get(ui.consoleUrl() + "#/routes/markup");
    wait.until(d -> d.findElement(By.tagName("h1")).getText().equals("Route markup"));
    assertInert("route markup");
    visit("plugins", "Global plugins");
    visit("history", "Config history");
    visit("accounts", "Accounts");
    visit("consumers", "Consumers");
    wait.until(d -> d.findElement(By.tagName("main")).getText().contains("marked"));
    assertInert("consumers");
    visit("me", "My account");
    visit("ai", "AI");

    visit("logs", "Access log");
    try (RawClient raw = gw.raw()) {
      raw.send(
          "GET /orders/"
              + XSS_PATH
              + "?q="
              + XSS_PATH
              + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: "
              + XSS
              + "\r\nConnection: close\r\n\r\n");
      assertThat(raw.readUntil("\r\n\r\n", 10_000)).startsWith("HTTP/1.1 ");
    }
    wait.until(d -> d.findElement(By.cssSelector("[data-testid=tail]")).getText().contains("<img"));
    assertInert("logs");
  }
}
