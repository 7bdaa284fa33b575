package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The console's consumers and access-log pages in a real browser (Debian's headless Chromium
 * through Debian's chromedriver), against a running gateway with a {@code key-auth} route in front
 * of a real origin. Screenshots go to {@code target/console-screenshots/}. Skipped when {@code
 * /usr/bin/chromium} is not installed.
 */
class ConsoleConsumersBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final String TOKEN = "consumers-test-token";
  private static final String SECRET = "Bearer tail-secret-credential";

  @TempDir static Path dir;
  private static TestOrigin origin;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(dir.resolve("profile"))
            .start(
                origin ->
                    ConsoleBrowser.scriptAdmin(KeyHash.of(TOKEN), null, origin.authority())
                            .replace(
                                "  address: 127.0.0.1:0\n",
                                "  address: 127.0.0.1:0\n  key-rotation-grace: 0s\n")
                        + """
                    routes:
                      - name: keyed
                        paths: [ "/keyed" ]
                        strip-prefix: true
                        service: backend
                        plugins:
                          key-auth: {}
                          rate-limit:
                            key: consumer
                            limits: [ { requests: 100, window: 1m } ]
                            groups: { partners: 10 }
                      - name: orders-api
                        paths: [ "/orders" ]
                        strip-prefix: true
                        service: backend
                    runtime:
                      access-log:
                        sinks: [ { type: file, path: "%s" } ]
                        fields: { include: [ defaults, request_headers ] }
                    """
                            .formatted(dir.resolve("access.log")));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = ui.waiting();
    origin = ui.origin();
    gw.createAccount(TOKEN, "watcher", "viewer", PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static void confirm() {
    wait.until(ExpectedConditions.alertIsPresent()).accept();
  }

  private static void createConsumer(String name, String groups) {
    chrome.type(By.id("new-consumer-name"), name);
    chrome.type(By.id("new-consumer-groups"), groups);
    driver.findElement(By.cssSelector("#create-consumer button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=consumer-title]"), name));
  }

  private static int withKey(String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/keyed/hello")).header("apikey", key))
        .statusCode();
  }

  @Test
  void consumersGetKeysShownOnceThatWorkUntilRevokedAndTheTailShowsRedactedRequests()
      throws Exception {
    ui.signIn("admin");
    chrome.go("consumers", "Consumers");

    // A consumer named with markup is text everywhere.
    createConsumer(XSS, "partners");
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=consumer-name]")).stream()
                .anyMatch(e -> e.getText().equals(XSS)));
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    chrome.assertNoAlert();

    createConsumer("mobile-app", "partners, beta");
    // The limits its groups bring: the keyed route's rate-limit tier for partners.
    assertThat(chrome.visible(By.cssSelector("[data-testid=consumer-limits]")).getText())
        .contains("route keyed")
        .contains("group partners: limits × 10");
    chrome.type(By.id("new-key-id"), "m1");
    driver.findElement(By.cssSelector("#issue-key button[type=submit]")).click();
    WebElement shown = chrome.visible(By.cssSelector("[data-testid=issued-key]"));
    String key = shown.getText();
    assertThat(key).startsWith("ck_").hasSize(46);
    chrome.screenshot("consumer-key");
    assertThat(withKey(key)).isEqualTo(200);

    // Shown once: closing the dialog forgets it, and no page shows it again.
    driver.findElement(By.id("issued-key-close")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("issued-key-dialog")));
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=key-id]")).stream()
                .anyMatch(e -> e.getText().equals("m1")));
    assertThat(driver.getPageSource()).doesNotContain(key);
    HttpResponse<String> stored =
        gw.send(
            HttpRequest.newBuilder(gw.adminUri("/consumers/mobile-app"))
                .header("Authorization", "Bearer " + TOKEN));
    assertThat(stored.body()).contains(KeyHash.of(key)).doesNotContain(key + "\"");
    chrome.screenshot("consumers");

    // Rotation shows the new key once; without a grace period the old one stops working with it.
    driver.findElement(By.cssSelector("button[aria-label='Rotate key m1']")).click();
    confirm();
    String rotated =
        wait.until(
            d -> {
              String text = d.findElement(By.cssSelector("[data-testid=issued-key]")).getText();
              return text.startsWith("ck_") ? text : null;
            });
    assertThat(rotated).isNotEqualTo(key);
    assertThat(withKey(key)).isEqualTo(401);
    assertThat(withKey(rotated)).isEqualTo(200);
    driver.findElement(By.id("issued-key-close")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("issued-key-dialog")));

    driver.findElement(By.cssSelector("button[aria-label='Revoke key m1']")).click();
    confirm();
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=key-id]")).stream()
                .noneMatch(e -> e.getText().equals("m1")));
    assertThat(withKey(rotated)).isEqualTo(401);

    // The access log tail shows a request through the gateway within seconds, redacted.
    chrome.go("logs", "Access log");
    chrome.type(By.id("tail-route"), "orders-api");
    driver.findElement(By.cssSelector("#tail-filters button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("logs-message"), "orders-api"));
    Thread.sleep(300); // the new stream is open before the request is made
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/orders/hello")).header("Authorization", SECRET))
                .statusCode())
        .isEqualTo(200);
    assertThat(withKey("not-a-key")).isEqualTo(401);
    WebElement row =
        new WebDriverWait(driver, Duration.ofSeconds(5))
            .until(
                d ->
                    d.findElements(By.cssSelector("[data-testid=tail-row]")).stream()
                        .filter(
                            r ->
                                r.findElement(By.cssSelector("[data-testid=tail-path]"))
                                    .getText()
                                    .equals("/orders/hello"))
                        .findFirst()
                        .orElse(null));
    String line =
        row.findElement(By.cssSelector("[data-testid=tail-json]")).getAttribute("textContent");
    assertThat(line).contains("[REDACTED]").doesNotContain("tail-secret-credential");
    // The route filter keeps the other route's request out.
    assertThat(driver.findElements(By.cssSelector("[data-testid=tail-route]")))
        .allMatch(e -> e.getText().equals("orders-api"));
    row.findElement(By.tagName("summary")).click();
    chrome.screenshot("access-log");

    // A viewer reads consumers but gets no form, and the API refuses its writes.
    chrome.signOut();
    ui.signIn("watcher");
    chrome.go("consumers", "Consumers");
    WebElement open =
        wait.until(
            d ->
                d.findElements(By.cssSelector("[data-testid=consumer-open]")).stream()
                    .filter(e -> e.getText().equals("mobile-app"))
                    .findFirst()
                    .orElse(null));
    open.click();
    wait.until(
        ExpectedConditions.textToBe(By.cssSelector("[data-testid=consumer-title]"), "mobile-app"));
    assertThat(driver.findElements(By.id("create-consumer"))).isEmpty();
    assertThat(driver.findElements(By.id("issue-key"))).isEmpty();
    assertThat(driver.findElements(By.id("delete-consumer"))).isEmpty();
    Object status =
        chrome.async(
            "const done = arguments[arguments.length - 1];"
                + "fetch('/auth/me').then((r) => r.json()).then((me) => fetch("
                + "'/consumers/mobile-app/keys', {method: 'POST', headers: {'X-CSRF-Token':"
                + " me.csrf_token}})).then((r) => done(r.status), (e) => done(String(e)));");
    assertThat(status).isEqualTo(403L);
    chrome.assertNoAlert();
    chrome.screenshot("consumers-viewer");
  }
}
