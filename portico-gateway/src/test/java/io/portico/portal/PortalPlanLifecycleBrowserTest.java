package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PortalBrowserFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * Renaming and deleting a plan on the portal's plans page in a real browser (headless Chromium),
 * from the keyboard where it matters: each write waits for a confirmation in a labelled dialog that
 * Escape cancels; a name the plan may not take is refused at its field, as text; a key keeps
 * answering under the renamed plan and, moved to another plan on deletion, under that plan's rate;
 * a change someone else made meanwhile is not overwritten and the page says so; a subscription made
 * between the confirmation and the deletion is named in the refusal, as text. Screenshots go to
 * {@code target/portal-screenshots/}.
 */
class PortalPlanLifecycleBrowserTest {

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

  private static void plan(PortalClient client, PortalClient.Session s, String name, int rate)
      throws Exception {
    ok(
        client.as(
            s,
            "POST",
            "/portal/api/plans",
            "{\"name\":\""
                + name
                + "\",\"requests_per_minute\":"
                + rate
                + ",\"auto_approve\":true}"),
        201);
  }

  /** An application named {@link #XSS} subscribed to orders under {@code plan}: its id. */
  private static String application(PortalClient client, PortalClient.Session dev, String plan)
      throws Exception {
    String app = client.application(dev, XSS);
    client.subscribe(dev, app, "orders", plan);
    return app;
  }

  private static WebElement dialog() {
    return browser.chrome().visible(By.cssSelector("dialog#plan-confirm[open]"));
  }

  private static String focused() {
    return browser.driver().switchTo().activeElement().getAttribute("id");
  }

  private static void onPlansPage() {
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
  }

  @Test
  void anOperatorRenamesAndDeletesAPlanFromThePageAndTheKeysFollow() throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    client.account(admin, "dev", "developer");
    ok(client.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    plan(client, admin, "basic", 2);
    plan(client, admin, "gold", 5);
    PortalClient.Session dev = client.signIn("dev");
    String app = application(client, dev, "basic");
    String key = client.key(dev, app);
    assertThat(browser.statuses("/hello", key, 3)).containsExactly(200, 200, 429);

    String portal = browser.gateway().gateway().portalUrl();
    browser.driver().get(portal);
    browser.ui().signInToPortal("admin");
    browser.driver().get(portal + "#/plans");
    onPlansPage();

    // rename from the keyboard: Enter on the row's button, the field focused, labelled
    WebElement rename = browser.chrome().visible(By.id("plan-rename-basic"));
    assertThat(rename.getAttribute("aria-label")).isEqualTo("Rename plan basic");
    rename.sendKeys(Keys.ENTER);
    browser.waiting().until(d -> "plan-rename-name".equals(focused()));
    assertThat(
            browser.driver().findElement(By.cssSelector("label[for=plan-rename-name]")).getText())
        .startsWith("New name");

    // Escape in the confirmation writes nothing
    browser.chrome().type(By.id("plan-rename-name"), "starter");
    browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
    WebElement confirm = dialog();
    assertThat(confirm.getAttribute("aria-label")).isEqualTo("Rename plan basic?");
    assertThat(confirm.getText()).contains("The plan basic becomes starter");
    assertThat(focused()).isEqualTo("plan-confirm-no");
    browser.driver().switchTo().activeElement().sendKeys(Keys.ESCAPE);
    browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.id("plan-confirm"), 0));
    ok(client.as(admin, "GET", "/portal/api/plans/basic", null), 200);

    // a name that looks like markup: refused at the field, as text
    browser.chrome().type(By.id("plan-rename-name"), XSS);
    browser.chrome().click(By.id("plan-rename-save"));
    dialog();
    browser.chrome().click(By.id("plan-confirm-yes"));
    assertThat(browser.chrome().visible(By.id("plan-rename-name-error")).getText())
        .isEqualTo("name: \"" + XSS + "\" (expected: lower-case letters, digits and -, up to 63)");
    assertThat(browser.chrome().visible(By.id("plan-rename-name")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    browser.assertNoMarkupRan();

    // confirmed: renamed, and the same key answers under the same rate
    browser.chrome().type(By.id("plan-rename-name"), "starter");
    browser.chrome().click(By.id("plan-rename-save"));
    dialog();
    browser.chrome().screenshot("plan-rename-confirm");
    browser.chrome().click(By.id("plan-confirm-yes"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=plans-message]"), "Renamed plan basic to starter"));
    assertThat(browser.driver().findElements(By.id("plan-rename-starter"))).hasSize(1);
    assertThat(browser.driver().findElements(By.id("plan-rename-basic"))).isEmpty();
    assertThat(browser.statuses("/hello", key, 3)).containsExactly(200, 200, 429);
    assertThat(
            ok(client.as(dev, "GET", "/portal/api/applications/" + app, null), 200)
                .at("/subscriptions/0/plan")
                .asText())
        .isEqualTo("starter");

    // someone else changes the plan while its form is open: the save writes nothing, and says so
    browser.chrome().click(By.id("plan-edit-starter"));
    ok(client.as(admin, "PATCH", "/portal/api/plans/starter", "{\"description\":\"theirs\"}"), 200);
    browser.chrome().type(By.id("plan-edit-requests_per_minute"), "40");
    browser.chrome().click(By.id("plan-edit-save"));
    assertThat(browser.chrome().visible(By.cssSelector("[data-testid=plan-changed]")).getText())
        .startsWith("Someone else changed the plan starter since this page showed it");
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/plans/starter", null), 200)
                .get("requests_per_minute")
                .asInt())
        .isEqualTo(2);
    assertThat(
            browser.driver().findElements(By.cssSelector("[data-testid=plan]")).stream()
                .anyMatch(e -> e.getText().contains("theirs")))
        .isTrue();

    // delete: the dialog names the subscription that holds the plan and asks where it goes
    browser.chrome().visible(By.id("plan-delete-starter")).sendKeys(Keys.ENTER);
    WebElement deleting = dialog();
    assertThat(deleting.getAttribute("aria-label")).isEqualTo("Delete plan starter?");
    assertThat(
            browser.driver().findElement(By.cssSelector("[data-testid=plan-holders] li")).getText())
        .isEqualTo(XSS + " on orders (approved)");
    assertThat(focused()).isEqualTo("plan-move-to");
    assertThat(
            new Select(browser.driver().findElement(By.id("plan-move-to")))
                .getFirstSelectedOption()
                .getText())
        .isEqualTo("gold");
    browser.assertNoMarkupRan();
    browser.chrome().screenshot("plan-delete-confirm");
    browser.chrome().click(By.id("plan-confirm-yes"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=plans-message]"),
                "Deleted plan starter; its subscription moved to gold."));
    assertThat(browser.driver().findElements(By.id("plan-delete-starter"))).isEmpty();
    assertThat(browser.statuses("/hello", key, 6)).containsExactly(200, 200, 200, 200, 200, 429);

    // a subscription made between the confirmation's opening and the deletion: refused, named
    plan(client, admin, "spare", 9);
    browser.driver().navigate().refresh();
    onPlansPage();
    browser.chrome().click(By.id("plan-delete-spare"));
    assertThat(dialog().getText()).contains("No subscription holds the plan spare");
    application(client, dev, "spare");
    browser.chrome().click(By.id("plan-confirm-yes"));
    assertThat(browser.chrome().visible(By.cssSelector("[data-testid=plan-refused]")).getText())
        .startsWith("The plan spare holds 1 subscription:")
        .contains("application \"" + XSS + "\"");
    assertThat(browser.driver().findElements(By.id("plan-delete-spare"))).hasSize(1);
    ok(client.as(admin, "GET", "/portal/api/plans/spare", null), 200);
    browser.chrome().screenshot("plan-delete-refused");
    browser.assertNoMarkupRan();
    // the refusals are logged as failed loads; nothing else may be
    assertThat(browser.chrome().errors()).allMatch(e -> e.contains("Failed to load resource"));
  }
}
