package io.portico.portal;

import static io.portico.portal.PortalClient.JSON;
import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PortalBrowserFixture;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The developer portal in a real browser (Debian's headless Chromium and chromedriver, as the
 * console's browser test runs them): sign-up, the catalogue, an application, a subscription that an
 * operator approves, a key shown once that works on the gateway. Screenshots go to {@code
 * target/portal-screenshots/}. Skipped when {@code /usr/bin/chromium} is not installed.
 */
class PortalBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";

  @RegisterExtension
  static final PortalBrowserFixture browser =
      new PortalBrowserFixture(
          """
          portal:
            sign-up: true
          routes:
            - name: hello
              paths: [ "/hello" ]
              service: backend
          """);

  @Test
  void catalogueApplicationSubscribeApproveAndKey() throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
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
    String portal = browser.gateway().gateway().portalUrl();
    assertThat(portal).endsWith("/portal/");
    browser.driver().get(portal);
    browser.chrome().type(By.id("new-name"), "dana");
    browser.chrome().type(By.id("new-password"), PASSWORD);
    browser.driver().findElement(By.cssSelector("#sign-up button[type=submit]")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("sign-in-message"), "Now sign in with that name and password"));
    browser.chrome().screenshot("sign-in");
    browser.chrome().type(By.id("name"), "dana");
    browser.chrome().type(By.id("password"), PASSWORD);
    browser.driver().findElement(By.cssSelector("#sign-in button[type=submit]")).click();

    // The catalogue: a title made of markup shows as its characters.
    WebElement api = browser.chrome().visible(By.cssSelector("[data-testid=api] h2"));
    assertThat(api.getText()).isEqualTo(XSS);
    assertThat(browser.driver().findElements(By.tagName("img"))).isEmpty();
    assertThat(browser.driver().findElement(By.cssSelector("a[data-page=approvals]")).isDisplayed())
        .isFalse();
    browser.chrome().assertNoAlert();
    browser.chrome().screenshot("catalogue");

    // An application, subscribed under the plan: pending until an operator approves.
    browser.driver().findElement(By.cssSelector("a[data-page=applications]")).click();
    browser.chrome().type(By.id("app-name"), "web shop");
    browser.driver().findElement(By.cssSelector("#create-application button[type=submit]")).click();
    WebElement card = browser.chrome().visible(By.cssSelector("[data-testid=application]"));
    assertThat(card.findElement(By.tagName("h2")).getText()).isEqualTo("web shop");
    Select plan = new Select(card.findElement(By.cssSelector("select[name=plan]")));
    plan.selectByValue("starter");
    card.findElement(By.cssSelector("form.subscribe button[type=submit]")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=subscription] .state"), "pending"));
    browser.chrome().screenshot("applications");

    // The admin approves it on the approvals page.
    browser.ui().signOutAndInToPortal("admin");
    browser.driver().get(portal + "#/approvals");
    WebElement row = browser.chrome().visible(By.cssSelector("[data-testid=pending]"));
    assertThat(row.getText()).contains("web shop").contains("dana").contains("starter");
    browser.chrome().screenshot("approvals");
    row.findElement(By.xpath(".//button[text()='Approve']")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.tagName("main"), "Nothing is waiting."));
    assertThat(
            ok(client.as(admin, "GET", "/portal/api/subscriptions?state=approved", null), 200)
                .get("subscriptions"))
        .hasSize(1);

    browser.ui().signOutAndInToPortal("dana");
    browser.driver().get(portal + "#/applications");
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=subscription] .state"), "approved"));
    browser.chrome().visible(By.xpath("//button[text()='Issue an API key']")).click();
    String key = browser.chrome().visible(By.cssSelector("[data-testid=new-key]")).getText();
    assertThat(key).startsWith("pk_");
    browser.chrome().screenshot("key");

    assertThat(
            browser
                .gateway()
                .send(
                    HttpRequest.newBuilder(browser.gateway().uri("/hello"))
                        .header("apikey", key)
                        .GET())
                .statusCode())
        .isEqualTo(200);
    browser.chrome().assertNoAlert();
  }
}
