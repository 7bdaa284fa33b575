package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PortalBrowserFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * A deprecated plan in a real browser (headless Chromium): a developer whose page still offers the
 * plan subscribes under it after an operator deprecated it and reads the refusal, which names the
 * plan and the one to take instead; the catalogue marks the plan deprecated; on the plans page an
 * operator restores it and deprecates another, each row's badge following. Screenshots go to {@code
 * target/portal-screenshots/}. Skipped when {@code /usr/bin/chromium} is not installed.
 */
class PortalPlanDeprecationBrowserTest {

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

  private static WebElement planRow(String name) {
    return browser
        .waiting()
        .until(
            ExpectedConditions.visibilityOfElementLocated(
                By.xpath(
                    "//tr[@data-testid='plan'][td[1][starts-with(normalize-space(.), '"
                        + name
                        + "')]]")));
  }

  @Test
  void aStalePageSubscribingUnderADeprecatedPlanIsToldWhichPlanToTakeAndTheBadgesFollow()
      throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    client.account(admin, "dev", "developer");
    ok(client.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    for (String plan : List.of("legacy", "basic")) {
      ok(
          client.as(
              admin,
              "POST",
              "/portal/api/plans",
              "{\"name\":\"" + plan + "\",\"requests_per_minute\":60,\"auto_approve\":true}"),
          201);
    }
    PortalClient.Session dev = client.signIn("dev");
    ok(client.as(dev, "POST", "/portal/api/applications", "{\"name\":\"shop\"}"), 201);

    // the developer's page offers legacy; an operator deprecates it meanwhile
    String portal = browser.gateway().gateway().portalUrl();
    browser.driver().get(portal);
    browser.ui().signInToPortal("dev");
    browser.driver().get(portal + "#/applications");
    WebElement card = browser.chrome().visible(By.cssSelector("[data-testid=application]"));
    new Select(card.findElement(By.cssSelector("select[name=plan]"))).selectByValue("legacy");
    ok(client.as(admin, "PATCH", "/portal/api/plans/legacy", "{\"deprecated\":true}"), 200);
    card.findElement(By.cssSelector("form.subscribe button[type=submit]")).click();
    WebElement refusal =
        browser.chrome().visible(By.cssSelector("[data-testid=application] .error"));
    assertThat(refusal.getText())
        .contains("The plan legacy is deprecated: it takes no new subscriptions")
        .contains("Subscribe under the plan basic instead.");
    browser.chrome().screenshot("plan-deprecated-refused");

    // a fresh page no longer offers it, and the catalogue marks it
    browser.driver().get(portal + "#/catalogue");
    WebElement legacy =
        browser
            .chrome()
            .visible(
                By.xpath("//tr[@data-testid='catalogue-plan'][td[1][starts-with(., 'legacy')]]"));
    assertThat(legacy.findElement(By.cssSelector("[data-testid=plan-deprecated]")).getText())
        .isEqualTo("deprecated");
    assertThat(
            browser
                .driver()
                .findElement(
                    By.xpath("//tr[@data-testid='catalogue-plan'][td[1][starts-with(., 'basic')]]"))
                .findElements(By.cssSelector("[data-testid=plan-deprecated]")))
        .isEmpty();
    browser.chrome().screenshot("plan-deprecated-catalogue");
    browser.driver().get(portal + "#/applications");
    card = browser.chrome().visible(By.cssSelector("[data-testid=application]"));
    assertThat(
            new Select(card.findElement(By.cssSelector("select[name=plan]")))
                .getOptions().stream().map(o -> o.getAttribute("value")).toList())
        .containsExactly("basic");

    // the operator restores legacy and deprecates basic on the plans page
    browser.ui().signOutAndInToPortal("admin");
    browser.driver().get(portal + "#/plans");
    assertThat(planRow("legacy").findElement(By.cssSelector("[data-testid=plan-deprecated]")))
        .isNotNull();
    browser.chrome().screenshot("plans-deprecated-badge");
    browser.chrome().visible(By.id("plan-restore-legacy")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("plans-message"), "Restored plan legacy: it takes new subscriptions again."));
    assertThat(planRow("legacy").findElements(By.cssSelector("[data-testid=plan-deprecated]")))
        .isEmpty();
    browser.chrome().visible(By.id("plan-deprecate-basic")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("plans-message"), "Deprecated plan basic"));
    assertThat(
            planRow("basic").findElement(By.cssSelector("[data-testid=plan-deprecated]")).getText())
        .isEqualTo("deprecated");
    browser.chrome().visible(By.id("plan-restore-basic"));
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/plans/basic", null), 200)
                .get("deprecated")
                .asBoolean())
        .isTrue();
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/plans/legacy", null), 200)
                .get("deprecated")
                .asBoolean())
        .isFalse();
  }
}
