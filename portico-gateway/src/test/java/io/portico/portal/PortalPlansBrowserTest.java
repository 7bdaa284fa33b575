package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PortalBrowserFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The portal's plans page in a real browser (headless Chromium): an operator raises the rate of a
 * plan whose key is already refused with 429, a refused value is shown next to its field and
 * changes nothing, and the saved plan holds for the same key at once; a viewer sees the plans with
 * nothing to change. Screenshots go to {@code target/portal-screenshots/}.
 */
class PortalPlansBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";

  @RegisterExtension
  static final PortalBrowserFixture browser =
      new PortalBrowserFixture(
          """
          portal:
            sign-up: false
          routes:
            - name: orders
              paths: [ "/hello" ]
              service: backend
          """);

  private static void signIn(String name) {
    browser.ui().signInToPortal(name);
  }

  @Test
  void anOperatorRaisesAPlansRateOnItsPageAndTheIssuedKeyPassesAtOnce() throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    client.account(admin, "dev", "developer");
    client.account(admin, "vera", "viewer");
    ok(client.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        client.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"starter\",\"description\":\"to try\",\"requests_per_minute\":2,"
                + "\"auto_approve\":true}"),
        201);
    PortalClient.Session dev = client.signIn("dev");
    String app = client.application(dev, "shop");
    client.subscribe(dev, app, "orders", "starter");
    String key = client.key(dev, app);
    assertThat(browser.statuses("/hello", key, 3)).containsExactly(200, 200, 429);

    String portal = browser.gateway().gateway().portalUrl();
    browser.driver().get(portal);
    signIn("admin");
    browser.driver().findElement(By.cssSelector("a[data-page=plans]")).click();
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
    assertThat(browser.chrome().visible(By.cssSelector("[data-testid=plan-rate]")).getText())
        .isEqualTo("2");
    browser.chrome().click(By.id("plan-edit-starter"));
    assertThat(browser.driver().switchTo().activeElement().getAttribute("id"))
        .isEqualTo("plan-edit-description");
    assertThat(
            browser.chrome().visible(By.id("plan-edit-requests_per_minute")).getAttribute("value"))
        .isEqualTo("2");

    // a rate the plan may not have: the server's refusal at the field, nothing changed
    browser.chrome().type(By.id("plan-edit-requests_per_minute"), "0");
    browser.chrome().click(By.id("plan-edit-save"));
    assertThat(
            browser
                .chrome()
                .visible(By.cssSelector("[data-testid=plan-edit-requests_per_minute-error]"))
                .getText())
        .contains("requests_per_minute: 0", "expected: an integer from 1 to 1000000");
    assertThat(
            browser
                .chrome()
                .visible(By.id("plan-edit-requests_per_minute"))
                .getAttribute("aria-invalid"))
        .isEqualTo("true");
    browser.chrome().screenshot("plan-edit-problem");
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/plans/starter", null), 200)
                .get("requests_per_minute")
                .asInt())
        .isEqualTo(2);
    assertThat(browser.statuses("/hello", key, 1)).containsExactly(429);

    // a higher rate and a new description: saved, shown, and the same key passes at once
    browser.chrome().type(By.id("plan-edit-requests_per_minute"), "50");
    browser.chrome().type(By.id("plan-edit-description"), "for shops");
    browser.chrome().click(By.id("plan-edit-save"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=plans-message]"), "Saved plan starter"));
    assertThat(browser.chrome().visible(By.cssSelector("[data-testid=plan-rate]")).getText())
        .isEqualTo("50");
    assertThat(browser.chrome().visible(By.cssSelector("[data-testid=plan]")).getText())
        .contains("for shops");
    browser.chrome().screenshot("plan-edited");
    assertThat(browser.statuses("/hello", key, 5)).containsOnly(200);

    // a viewer sees the plans, with no way to change them
    browser.chrome().signOut();
    signIn("vera");
    browser.driver().get(portal + "#/plans");
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
    assertThat(browser.chrome().visible(By.cssSelector("[data-testid=plan-rate]")).getText())
        .isEqualTo("50");
    assertThat(browser.driver().findElements(By.id("plan-edit-starter"))).isEmpty();
    assertThat(browser.driver().findElements(By.id("plan-new"))).isEmpty();

    // a plan's description and an application's name that look like markup show as text
    ok(
        client.as(
            admin,
            "POST",
            "/portal/api/plans",
            PortalClient.JSON
                .createObjectNode()
                .put("name", "markup")
                .put("description", XSS)
                .put("requests_per_minute", 5)
                .toString()),
        201);
    ok(
        client.as(
            dev,
            "POST",
            "/portal/api/applications",
            PortalClient.JSON.createObjectNode().put("name", XSS).toString()),
        201);
    browser.driver().navigate().refresh();
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
    browser
        .waiting()
        .until(
            d ->
                d.findElements(By.cssSelector("[data-testid=plan]")).stream()
                    .anyMatch(e -> e.getText().contains("markup") && e.getText().contains(XSS)));
    browser.assertNoMarkupRan();
    browser.ui().signOutAndInToPortal("dev");
    browser.driver().get(portal + "#/applications");
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Applications"));
    browser
        .waiting()
        .until(
            d -> d.findElements(By.tagName("h2")).stream().anyMatch(e -> e.getText().equals(XSS)));
    browser.driver().get(portal + "#/catalogue");
    browser
        .waiting()
        .until(
            d -> d.findElements(By.tagName("td")).stream().anyMatch(e -> e.getText().equals(XSS)));
    browser.chrome().screenshot("plan-and-application-markup");
    browser.assertNoMarkupRan();
    // the refused save is logged as a failed load; nothing else may be
    assertThat(browser.chrome().errors()).allMatch(e -> e.contains("Failed to load resource"));
  }
}
