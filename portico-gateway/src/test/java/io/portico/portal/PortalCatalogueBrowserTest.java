package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.PortalBrowserFixture;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The catalogue's life in a real browser (headless Chromium): an application named with markup
 * shown as text, a plan's hourly quota in the catalogue and its use and remainder on the
 * application's page after calls up to 429, an operator unpublishing the API with the catalogue's
 * button, and the developer then seeing it gone and the subscription suspended. Redis at
 * 127.0.0.1:6379 counts the quota. Screenshots go to {@code target/portal-screenshots/}.
 */
class PortalCatalogueBrowserTest {

  private static final String MARKUP = "<img src=x onerror=alert(1)>";

  @RegisterExtension
  static final PortalBrowserFixture browser =
      new PortalBrowserFixture(
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
              """)
          .waitingUpTo(Duration.ofSeconds(30));

  private static int call(String key) throws Exception {
    return browser
        .gateway()
        .send(HttpRequest.newBuilder(browser.gateway().uri("/hello")).header("apikey", key).GET())
        .statusCode();
  }

  @Test
  void markupStaysTextTheHourlyQuotaShowsWhatRemainsAndUnpublishingSuspendsTheSubscription()
      throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
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
        202);
    PortalClient.Session dev = client.signIn("dev");
    String app = client.application(dev, MARKUP);
    client.subscribe(dev, app, "orders", "hourly");
    String key = client.key(dev, app);
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

    String portal = browser.gateway().gateway().portalUrl();
    browser.driver().get(portal);
    browser.ui().signInToPortal("dev");
    browser.driver().get(portal + "#/catalogue");
    browser
        .waiting()
        .until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "2 an hour"));
    browser.driver().get(portal + "#/applications");
    WebElement card = browser.chrome().visible(By.cssSelector("[data-testid=application]"));
    assertThat(card.findElement(By.tagName("h2")).getText()).isEqualTo(MARKUP);
    assertThat(browser.driver().findElements(By.cssSelector("main img"))).isEmpty();
    WebElement usage = browser.chrome().visible(By.cssSelector("[data-testid=usage] dl"));
    browser
        .waiting()
        .until(ExpectedConditions.textToBePresentInElement(usage, "2 of 2 this hour; 0 left"));
    browser.chrome().screenshot("hourly-quota");

    // the admin unpublishes the API with the catalogue's button: the key is refused at once
    browser.chrome().visible(By.id("sign-out")).click();
    browser.ui().signInToPortal("admin");
    browser.driver().get(portal + "#/catalogue");
    browser.chrome().visible(By.cssSelector("[data-testid=unpublish]")).click();
    browser.chrome().visible(By.cssSelector("[data-testid=unpublished]"));
    browser.chrome().visible(By.cssSelector("[data-testid=publish]"));
    browser.chrome().screenshot("unpublished");
    assertThat(call(key)).isEqualTo(403);

    // the developer no longer sees it; the subscription is shown suspended
    browser.chrome().visible(By.id("sign-out")).click();
    browser.ui().signInToPortal("dev");
    browser.driver().get(portal + "#/catalogue");
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.tagName("main"), "No API is published yet."));
    browser.driver().get(portal + "#/applications");
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=subscription] .state"), "suspended"));
    assertThat(browser.driver().findElements(By.cssSelector("main img"))).isEmpty();
    browser.chrome().screenshot("suspended");
  }
}
