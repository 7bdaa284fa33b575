package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * The catalogue's life in a real browser (headless Chromium): an application named with markup
 * shown as text, a plan's hourly quota in the catalogue and its use and remainder on the
 * application's page after calls up to 429, an operator unpublishing the API with the catalogue's
 * button, and the developer then seeing it gone and the subscription suspended. Redis at
 * 127.0.0.1:6379 counts the quota. Screenshots go to {@code target/portal-screenshots/}.
 */
class PortalCatalogueBrowserTest {

  private static final String MARKUP = "<img src=x onerror=alert(1)>";

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.portal(
            profile,
            """
            portal:
              sign-up: true
              quota:
                redis: redis://127.0.0.1:6379
                on-failure: fail-closed
            routes:
              - name: orders
                paths: [ "/hello" ]
                service: backend
            """);
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static int call(String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET())
        .statusCode();
  }

  @Test
  void markupStaysTextTheHourlyQuotaShowsWhatRemainsAndUnpublishingSuspendsTheSubscription()
      throws Exception {
    PortalClient client = new PortalClient(gw::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    ok(client.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        client.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"hourly\",\"requests_per_minute\":100,\"quota\":2,"
                + "\"quota_period\":\"hour\",\"auto_approve\":true}"),
        201);
    ok(
        client.call(
            "POST", "/portal/api/sign-up", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}"),
        201);
    PortalClient.Session dev = client.signIn("dev");
    String app =
        ok(
                client.as(
                    dev,
                    "POST",
                    "/portal/api/applications",
                    PortalClient.JSON.createObjectNode().put("name", MARKUP).toString()),
                201)
            .get("id")
            .asText();
    ok(
        client.as(
            dev,
            "POST",
            "/portal/api/applications/" + app + "/subscriptions",
            "{\"api\":\"orders\",\"plan\":\"hourly\"}"),
        201);
    String key =
        ok(client.as(dev, "POST", "/portal/api/applications/" + app + "/keys", null), 201)
            .get("key")
            .asText();
    String usagePath = "/portal/api/applications/" + app + "/usage";
    // the quota's Redis connection is made on first use: wait until the usage reads the counter
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        ok(client.as(dev, "GET", usagePath, null), 200)
                            .at("/quotas/0/used")
                            .isNumber())
                    .isTrue());
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seen.add(call(key));
    }
    assertThat(seen).containsExactly(200, 200, 429);

    String portal = gw.gateway().portalUrl();
    driver.get(portal);
    ui.signInToPortal("dev");
    driver.get(portal + "#/catalogue");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "2 an hour"));
    driver.get(portal + "#/applications");
    WebElement card = chrome.visible(By.cssSelector("[data-testid=application]"));
    assertThat(card.findElement(By.tagName("h2")).getText()).isEqualTo(MARKUP);
    assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
    WebElement usage = chrome.visible(By.cssSelector("[data-testid=usage] dl"));
    wait.until(ExpectedConditions.textToBePresentInElement(usage, "2 of 2 this hour; 0 left"));
    chrome.screenshot("hourly-quota");

    // the admin unpublishes the API with the catalogue's button: the key is refused at once
    chrome.visible(By.id("sign-out")).click();
    ui.signInToPortal("admin");
    driver.get(portal + "#/catalogue");
    chrome.visible(By.cssSelector("[data-testid=unpublish]")).click();
    chrome.visible(By.cssSelector("[data-testid=unpublished]"));
    chrome.visible(By.cssSelector("[data-testid=publish]"));
    chrome.screenshot("unpublished");
    assertThat(call(key)).isEqualTo(403);

    // the developer no longer sees it; the subscription is shown suspended
    chrome.visible(By.id("sign-out")).click();
    ui.signInToPortal("dev");
    driver.get(portal + "#/catalogue");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.tagName("main"), "No API is published yet."));
    driver.get(portal + "#/applications");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("[data-testid=subscription] .state"), "suspended"));
    assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
    chrome.screenshot("suspended");
  }
}
