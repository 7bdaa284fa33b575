package io.portico.portal;

import static io.portico.portal.PortalClient.JSON;
import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.net.http.HttpRequest;
import java.nio.file.Path;
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
 * The developer portal in a real browser (Debian's headless Chromium and chromedriver, as the
 * console's browser test runs them): sign-up, the catalogue, an application, a subscription that an
 * operator approves, a key shown once that works on the gateway. Screenshots go to {@code
 * target/portal-screenshots/}. Skipped when {@code /usr/bin/chromium} is not installed.
 */
class PortalBrowserTest {

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
              sign-up: true
            routes:
              - name: hello
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

  @Test
  void catalogueApplicationSubscribeApproveAndKey() throws Exception {
    PortalClient client = new PortalClient(gw::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    ok(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            JSON.createObjectNode()
                .put("title", XSS)
                .put("description", "Greets whoever calls")
                .toString()),
        200);
    ok(
        client.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"starter\",\"description\":\"for trying\",\"requests_per_minute\":5}"),
        201);

    // Sign up, then sign in.
    String portal = gw.gateway().portalUrl();
    assertThat(portal).endsWith("/portal/");
    driver.get(portal);
    chrome.type(By.id("new-name"), "dana");
    chrome.type(By.id("new-password"), PASSWORD);
    driver.findElement(By.cssSelector("#sign-up button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("sign-in-message"), "Your developer account is ready"));
    chrome.screenshot("sign-in");
    chrome.type(By.id("name"), "dana");
    chrome.type(By.id("password"), PASSWORD);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();

    // The catalogue: a title made of markup shows as its characters.
    WebElement api = chrome.visible(By.cssSelector("[data-testid=api] h2"));
    assertThat(api.getText()).isEqualTo(XSS);
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    assertThat(driver.findElement(By.cssSelector("a[data-page=approvals]")).isDisplayed())
        .isFalse();
    chrome.assertNoAlert();
    chrome.screenshot("catalogue");

    // An application, subscribed under the plan: pending until an operator approves.
    driver.findElement(By.cssSelector("a[data-page=applications]")).click();
    chrome.type(By.id("app-name"), "web shop");
    driver.findElement(By.cssSelector("#create-application button[type=submit]")).click();
    WebElement card = chrome.visible(By.cssSelector("[data-testid=application]"));
    assertThat(card.findElement(By.tagName("h2")).getText()).isEqualTo("web shop");
    Select plan = new Select(card.findElement(By.cssSelector("select[name=plan]")));
    plan.selectByValue("starter");
    card.findElement(By.cssSelector("form.subscribe button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("[data-testid=subscription] .state"), "pending"));
    chrome.screenshot("applications");

    // The admin approves it on the approvals page.
    ui.signOutAndInToPortal("admin");
    driver.get(portal + "#/approvals");
    WebElement row = chrome.visible(By.cssSelector("[data-testid=pending]"));
    assertThat(row.getText()).contains("web shop").contains("dana").contains("starter");
    chrome.screenshot("approvals");
    row.findElement(By.xpath(".//button[text()='Approve']")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.tagName("main"), "Nothing is waiting."));
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/subscriptions?state=approved", null), 200)
                .get("subscriptions"))
        .hasSize(1);

    ui.signOutAndInToPortal("dana");
    driver.get(portal + "#/applications");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("[data-testid=subscription] .state"), "approved"));
    chrome.visible(By.xpath("//button[text()='Issue an API key']")).click();
    String key = chrome.visible(By.cssSelector("[data-testid=new-key]")).getText();
    assertThat(key).startsWith("pk_");
    chrome.screenshot("key");

    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET())
                .statusCode())
        .isEqualTo(200);
    chrome.assertNoAlert();
  }
}
