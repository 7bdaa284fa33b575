package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's alerts and audit pages in a real browser (Debian's headless Chromium through
 * Debian's chromedriver), against a running gateway whose alert rule fires on a real origin's 5xx
 * answers. Screenshots go to {@code target/console-screenshots/}. Skipped when {@code
 * /usr/bin/chromium} is not installed.
 */
class ConsolePagesBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final String TOKEN = "pages-test-token";

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

  private static HttpResponse<String> adminGet(String path) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.adminUri(path)).header("Authorization", "Bearer " + TOKEN));
  }

  @Test
  void alertsPageShowsAFiringAlertAndSilencesItAuditPageShowsAccountsAsText() throws Exception {
    ui.signIn("admin");

    // 5xx answers from the origin make the error-rate rule fire; the alerts page shows it.
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/orders/status/500").statusCode()).isEqualTo(500);
    }
    chrome.go("alerts", "Alerts");
    wait.until(
        d ->
            d
                .findElements(By.cssSelector("[data-testid=alerts-active] [data-testid=alert-row]"))
                .stream()
                .anyMatch(
                    row ->
                        row.getText().contains("orders-errors")
                            && row.findElement(By.cssSelector("[data-testid=alert-state]"))
                                .getText()
                                .equals("firing")));
    assertThat(driver.findElement(By.cssSelector("[data-testid=alerts-active]")).getText())
        .contains("team=orders");

    // A silence made in the page is one of the API's.
    chrome.type(By.id("silence-matchers"), "rule=orders-errors");
    chrome.type(By.id("silence-duration"), "30m");
    chrome.type(By.id("silence-comment"), "deploying a fix " + XSS);
    driver.findElement(By.cssSelector("#create-silence button[type=submit]")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=silence-comment]")).stream()
                .anyMatch(e -> e.getText().equals("deploying a fix " + XSS)));
    HttpResponse<String> alerts = adminGet("/alerts");
    assertThat(alerts.statusCode()).isEqualTo(200);
    assertThat(alerts.body())
        .contains("\"matchers\":{\"rule\":\"orders-errors\"}")
        .contains("deploying a fix")
        .contains("\"created_by\":\"admin\"");
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=alert-row]")).stream()
                .anyMatch(
                    row ->
                        row.getText().contains("orders-errors")
                            && !row.findElement(By.cssSelector("[data-testid=alert-silenced]"))
                                .getText()
                                .isEmpty()));
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    chrome.assertNoAlert();
    chrome.screenshot("alerts");

    // A second silence, deleted from the page: gone from the API too.
    chrome.type(By.id("silence-matchers"), "team=orders, severity=critical");
    chrome.type(By.id("silence-duration"), "10m");
    chrome.type(By.id("silence-comment"), "short-lived");
    driver.findElement(By.cssSelector("#create-silence button[type=submit]")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=silence-comment]")).stream()
                .anyMatch(e -> e.getText().equals("short-lived")));
    assertThat(adminGet("/alerts/silences").body())
        .contains("\"team\":\"orders\"")
        .contains("\"severity\":\"critical\"");
    wait.until(
        d -> {
          for (WebElement row : d.findElements(By.cssSelector("[data-testid=silence-row]"))) {
            if (row.getText().contains("short-lived")) {
              row.findElement(By.tagName("button")).click();
              return true;
            }
          }
          return false;
        });
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=silence-comment]")).stream()
                .noneMatch(e -> e.getText().equals("short-lived")));
    assertThat(adminGet("/alerts/silences").body())
        .doesNotContain("short-lived")
        .contains("deploying a fix");

    // An account with a markup name: the audit log shows its creation as text.
    chrome.go("accounts", "Accounts");
    chrome.type(By.id("new-name"), XSS);
    new Select(driver.findElement(By.id("new-role"))).selectByValue("viewer");
    chrome.type(By.id("new-password"), PASSWORD);
    driver.findElement(By.cssSelector("#create-account button[type=submit]")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=account-name]")).stream()
                .anyMatch(e -> e.getText().equals(XSS)));
    chrome.go("audit", "Audit log");
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=audit-row]")).stream()
                .anyMatch(
                    row ->
                        row.findElement(By.cssSelector("[data-testid=audit-actor]"))
                                .getText()
                                .equals("admin")
                            && row.findElement(By.cssSelector("[data-testid=audit-action]"))
                                .getText()
                                .contains(XSS)));
    // The silences made and deleted in the alerts page are there too, with who made them.
    assertThat(driver.findElements(By.cssSelector("[data-testid=audit-row]")))
        .extracting(WebElement::getText)
        .anyMatch(t -> t.contains("admin create silence applied"))
        .anyMatch(t -> t.contains("admin delete silence applied"));
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    chrome.assertNoAlert();
    chrome.screenshot("audit");

    // A viewer sees the alerts and the silences but no form or delete button.
    chrome.signOut();
    ui.signIn(XSS);
    chrome.go("alerts", "Alerts");
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=silence-comment]")).stream()
                .anyMatch(e -> e.getText().contains("deploying a fix")));
    assertThat(driver.findElements(By.id("create-silence"))).isEmpty();
    assertThat(driver.findElements(By.cssSelector("[data-testid=silence-row] button"))).isEmpty();
    chrome.assertNoAlert();
    chrome.screenshot("alerts-viewer");
  }
}
