package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.TestOrigin;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver (never a downloaded one), against a running gateway with a real origin. Screenshots
 * of each page go to {@code target/console-screenshots/}. Skipped when {@code /usr/bin/chromium} is
 * not installed.
 */
class ConsoleBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";

  @TempDir static Path profile;
  private static TestOrigin origin;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .firstRun()
            .start(
                origin ->
                    """
                    admin:
                      address: 127.0.0.1:0
                    services:
                      - name: backend
                        targets: [ "%s" ]
                    routes:
                      - name: orders-api
                        paths: [ "/orders" ]
                        strip-prefix: true
                        service: backend
                    """
                        .formatted(origin.authority()));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = ui.waiting();
    origin = ui.origin();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  @Test
  void firstRunSetupSignInLiveOverviewAndAccountsShowValuesAsText() throws Exception {
    String link = gw.gateway().setupLink();
    assertThat(link).isNotNull();

    // First run: the one-time link opens the setup page; the token leaves the address bar.
    driver.get(link);
    chrome.visible(By.id("setup"));
    assertThat(driver.getCurrentUrl()).doesNotContain("setup=");
    chrome.type(By.id("name"), "root");
    chrome.type(By.id("password"), PASSWORD);
    chrome.screenshot("setup");
    driver.findElement(By.cssSelector("#setup button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
    assertThat(gw.gateway().setupLink()).isNull();

    // A request through the gateway shows on the overview within seconds.
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=route-row]")).stream()
                .anyMatch(
                    row ->
                        row.getText().contains("orders-api")
                            && !row.findElement(By.cssSelector("[data-testid=route-requests]"))
                                .getText()
                                .equals("0")));
    // Per-consumer metrics are off by default: the page says so instead of an empty table.
    assertThat(chrome.visible(By.cssSelector("[data-testid=consumers-off]")).getText())
        .contains("metrics.per-consumer: true");
    chrome.screenshot("overview-first-run");

    // Accounts: a name made of markup is shown as its characters and runs nothing.
    driver.get(gw.gateway().consoleUrl() + "#/accounts");
    chrome.visible(By.id("create-account"));
    chrome.type(By.id("new-name"), XSS);
    new Select(driver.findElement(By.id("new-role"))).selectByValue("viewer");
    chrome.type(By.id("new-password"), PASSWORD);
    driver.findElement(By.cssSelector("#create-account button[type=submit]")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=account-name]")).stream()
                .anyMatch(e -> e.getText().equals(XSS)));
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    chrome.assertNoAlert();
    chrome.screenshot("accounts");

    // My account: an API token shown once.
    driver.get(gw.gateway().consoleUrl() + "#/me");
    chrome.type(By.id("token-name"), "deploy-script");
    driver.findElement(By.cssSelector("#create-token button[type=submit]")).click();
    assertThat(chrome.visible(By.cssSelector("[data-testid=new-token]")).getText())
        .startsWith("ptk_");
    chrome.screenshot("my-account");

    // Sign out, then sign in as the markup-named viewer: its name shows as text in the header.
    driver.findElement(By.id("sign-out")).click();
    chrome.visible(By.id("sign-in"));
    chrome.type(By.id("name"), XSS);
    chrome.type(By.id("password"), "wrong password!");
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("sign-in-message"), "The account name or password is wrong."));
    chrome.screenshot("sign-in");
    chrome.type(By.id("password"), PASSWORD);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
    assertThat(driver.findElement(By.id("who-name")).getText()).isEqualTo(XSS + " (viewer)");
    List<WebElement> accountsLink = driver.findElements(By.cssSelector("a[data-page=accounts]"));
    assertThat(accountsLink).allMatch(a -> !a.isDisplayed());
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    chrome.assertNoAlert();
  }
}
