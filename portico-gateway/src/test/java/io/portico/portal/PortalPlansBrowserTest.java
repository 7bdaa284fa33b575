package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The portal's plans page in a real browser (headless Chromium): an operator raises the rate of a
 * plan whose key is already refused with 429, a refused value is shown next to its field and
 * changes nothing, and the saved plan holds for the same key at once; a viewer sees the plans with
 * nothing to change. Screenshots go to {@code target/portal-screenshots/}.
 */
class PortalPlansBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";

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
              sign-up: false
            routes:
              - name: orders
                paths: [ "/hello" ]
                service: backend
            """);
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = ui.waiting();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static void signIn(String name) {
    ui.signInToPortal(name);
  }

  /** Fails when the page holds an element parsed from {@link #XSS} or a script of it ran. */
  private static void noMarkupRan() {
    chrome.assertNoAlert();
    assertThat(
            ((Number)
                    ((JavascriptExecutor) driver)
                        .executeScript("return document.querySelectorAll('img[src=\"x\"]').length"))
                .intValue())
        .isZero();
  }

  private static List<Integer> calls(String key, int n) throws Exception {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seen.add(
          gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET())
              .statusCode());
    }
    return seen;
  }

  @Test
  void anOperatorRaisesAPlansRateOnItsPageAndTheIssuedKeyPassesAtOnce() throws Exception {
    PortalClient client = new PortalClient(gw::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    for (String[] a : List.of(new String[] {"dev", "developer"}, new String[] {"vera", "viewer"})) {
      ok(
          client.as(
              admin,
              "POST",
              "/accounts",
              PortalClient.JSON
                  .createObjectNode()
                  .put("name", a[0])
                  .put("role", a[1])
                  .put("password", PASSWORD)
                  .toString()),
          201);
    }
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
    String app =
        ok(client.as(dev, "POST", "/portal/api/applications", "{\"name\":\"shop\"}"), 201)
            .get("id")
            .asText();
    ok(
        client.as(
            dev,
            "POST",
            "/portal/api/applications/" + app + "/subscriptions",
            "{\"api\":\"orders\",\"plan\":\"starter\"}"),
        201);
    String key =
        ok(client.as(dev, "POST", "/portal/api/applications/" + app + "/keys", null), 201)
            .get("key")
            .asText();
    assertThat(calls(key, 3)).containsExactly(200, 200, 429);

    String portal = gw.gateway().portalUrl();
    driver.get(portal);
    signIn("admin");
    driver.findElement(By.cssSelector("a[data-page=plans]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
    assertThat(chrome.visible(By.cssSelector("[data-testid=plan-rate]")).getText()).isEqualTo("2");
    chrome.click(By.id("plan-edit-starter"));
    assertThat(driver.switchTo().activeElement().getAttribute("id"))
        .isEqualTo("plan-edit-description");
    assertThat(chrome.visible(By.id("plan-edit-requests_per_minute")).getAttribute("value"))
        .isEqualTo("2");

    // a rate the plan may not have: the server's refusal at the field, nothing changed
    chrome.type(By.id("plan-edit-requests_per_minute"), "0");
    chrome.click(By.id("plan-edit-save"));
    assertThat(
            chrome
                .visible(By.cssSelector("[data-testid=plan-edit-requests_per_minute-error]"))
                .getText())
        .contains("requests_per_minute: 0", "expected: an integer from 1 to 1000000");
    assertThat(chrome.visible(By.id("plan-edit-requests_per_minute")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    chrome.screenshot("plan-edit-problem");
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/plans/starter", null), 200)
                .get("requests_per_minute")
                .asInt())
        .isEqualTo(2);
    assertThat(calls(key, 1)).containsExactly(429);

    // a higher rate and a new description: saved, shown, and the same key passes at once
    chrome.type(By.id("plan-edit-requests_per_minute"), "50");
    chrome.type(By.id("plan-edit-description"), "for shops");
    chrome.click(By.id("plan-edit-save"));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("[data-testid=plans-message]"), "Saved plan starter"));
    assertThat(chrome.visible(By.cssSelector("[data-testid=plan-rate]")).getText()).isEqualTo("50");
    assertThat(chrome.visible(By.cssSelector("[data-testid=plan]")).getText())
        .contains("for shops");
    chrome.screenshot("plan-edited");
    assertThat(calls(key, 5)).containsOnly(200);

    // a viewer sees the plans, with no way to change them
    chrome.signOut();
    signIn("vera");
    driver.get(portal + "#/plans");
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
    assertThat(chrome.visible(By.cssSelector("[data-testid=plan-rate]")).getText()).isEqualTo("50");
    assertThat(driver.findElements(By.id("plan-edit-starter"))).isEmpty();
    assertThat(driver.findElements(By.id("plan-new"))).isEmpty();

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
    driver.navigate().refresh();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Plans"));
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=plan]")).stream()
                .anyMatch(e -> e.getText().contains("markup") && e.getText().contains(XSS)));
    noMarkupRan();
    ui.signOutAndInToPortal("dev");
    driver.get(portal + "#/applications");
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Applications"));
    wait.until(
        d -> d.findElements(By.tagName("h2")).stream().anyMatch(e -> e.getText().equals(XSS)));
    driver.get(portal + "#/catalogue");
    wait.until(
        d -> d.findElements(By.tagName("td")).stream().anyMatch(e -> e.getText().equals(XSS)));
    chrome.screenshot("plan-and-application-markup");
    noMarkupRan();
    // the refused save is logged as a failed load; nothing else may be
    assertThat(chrome.errors()).allMatch(e -> e.contains("Failed to load resource"));
  }
}
