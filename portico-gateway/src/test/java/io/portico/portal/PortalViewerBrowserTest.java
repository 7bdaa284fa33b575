package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.PortalBrowserFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The portal's invitations, quota plans, usage and OpenAPI viewer in a real browser (Debian's
 * headless Chromium and chromedriver): an invited developer creates an application and subscribes
 * under a plan with a daily quota, an operator approves, the viewer renders the API's operation
 * under the portal's Content-Security-Policy, its try-it panel gets a 200 through the gateway with
 * the issued key, and calls go on until the plan's quota answers 429. Redis at 127.0.0.1:6379
 * counts the quota. Screenshots go to {@code target/portal-screenshots/}. Skipped when {@code
 * /usr/bin/chromium} is not installed.
 */
class PortalViewerBrowserTest {

  private static final String OPENAPI =
      """
      {"openapi":"3.0.3","info":{"title":"Greetings","version":"1.0"},
       "paths":{"/hello":{"get":{"operationId":"sayHello","summary":"Says hello",
         "responses":{"200":{"description":"a greeting"}}}}}}
      """;

  @RegisterExtension
  static final PortalBrowserFixture browser =
      new PortalBrowserFixture(
              """
              portal:
                quota:
                  redis: redis://127.0.0.1:6379
                  period: day
                  on-failure: fail-closed
              metrics:
                per-consumer: true
              routes:
                - name: hello
                  paths: [ "/hello" ]
                  service: backend
                  plugins:
                    cors:
                      allow-origins: [ "*" ]
              """)
          .waitingUpTo(Duration.ofSeconds(30));

  /** The browser's console errors that a Content-Security-Policy refusal would leave. */
  private static List<String> cspViolations() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : browser.driver().manage().logs().get(LogType.BROWSER)) {
      if (e.getMessage().contains("Content Security Policy")) {
        out.add(e.getMessage());
      }
    }
    return out;
  }

  @Test
  void invitedDeveloperSubscribesUnderAQuotaTriesTheApiInTheViewerAndMeets429() throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    ok(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            "{\"title\":\"Greetings\",\"description\":\"Says hello\",\"openapi_document\":"
                + OPENAPI
                + "}"),
        200);
    ok(
        client.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"trial\",\"description\":\"three calls a day\","
                + "\"requests_per_minute\":60,\"quota\":3}"),
        201);
    String portal = browser.gateway().gateway().portalUrl();

    // the admin invites a developer in the portal; the link works once
    browser.driver().get(portal);
    browser.ui().signInToPortal("admin");
    browser.driver().get(portal + "#/invitations");
    browser.chrome().type(By.id("invite-note"), "Dana, the shop team");
    browser.driver().findElement(By.cssSelector("#invite button[type=submit]")).click();
    String link = browser.chrome().visible(By.cssSelector("[data-testid=invite-link]")).getText();
    assertThat(link).startsWith(portal + "#invite=pi_");
    browser.chrome().screenshot("invitations");
    browser.chrome().visible(By.id("sign-out")).click();
    browser.chrome().visible(By.id("sign-in"));

    browser.driver().get(link);
    browser.chrome().visible(By.id("invited-name"));
    assertThat(browser.driver().getCurrentUrl()).doesNotContain("pi_").doesNotContain("#invite");
    browser.chrome().type(By.id("invited-name"), "dana");
    browser.chrome().type(By.id("invited-password"), PASSWORD);
    browser.driver().findElement(By.cssSelector("#accept button[type=submit]")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("sign-in-message"), "Your developer account is ready"));
    browser.ui().signInToPortal("dana");

    // an application under the quota plan, pending until the admin approves
    browser.driver().get(portal + "#/catalogue");
    browser
        .waiting()
        .until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "3 a day"));
    browser.driver().get(portal + "#/applications");
    browser.chrome().type(By.id("app-name"), "web shop");
    browser.driver().findElement(By.cssSelector("#create-application button[type=submit]")).click();
    WebElement card = browser.chrome().visible(By.cssSelector("[data-testid=application]"));
    new Select(card.findElement(By.cssSelector("select[name=plan]"))).selectByValue("trial");
    card.findElement(By.cssSelector("form.subscribe button[type=submit]")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=subscription] .state"), "pending"));

    browser.ui().signOutAndInToPortal("admin");
    browser.driver().get(portal + "#/approvals");
    WebElement row = browser.chrome().visible(By.cssSelector("[data-testid=pending]"));
    assertThat(row.getText()).contains("web shop").contains("trial");
    row.findElement(By.xpath(".//button[text()='Approve']")).click();
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.tagName("main"), "Nothing is waiting."));

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

    // the quota's Redis connection is made at first use: wait until the usage reads the counter
    PortalClient.Session dana = client.signIn("dana");
    String appId =
        ok(client.as(dana, "GET", "/portal/api/applications", null), 200)
            .at("/applications/0/id")
            .asText();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        ok(
                                client.as(
                                    dana,
                                    "GET",
                                    "/portal/api/applications/" + appId + "/usage",
                                    null),
                                200)
                            .at("/quotas/0/used")
                            .isNumber())
                    .isTrue());

    // the viewer renders the operation; its try-it panel calls the gateway with the key
    browser.driver().get(portal + "#/api/hello");
    WebElement operation =
        browser.chrome().visible(By.cssSelector(".opblock-summary-path[data-path='/hello']"));
    assertThat(browser.driver().findElement(By.id("openapi-viewer")).getText())
        .contains("Says hello");
    browser.chrome().type(By.id("try-key"), key);
    browser.chrome().screenshot("viewer");
    operation.click();
    browser.chrome().visible(By.cssSelector("button.try-out__btn")).click();
    browser.chrome().visible(By.cssSelector("button.execute")).click();
    WebElement status =
        browser
            .chrome()
            .visible(By.cssSelector(".live-responses-table tr.response .response-col_status"));
    browser.waiting().until(ExpectedConditions.textToBePresentInElement(status, "200"));
    ((org.openqa.selenium.JavascriptExecutor) browser.driver())
        .executeScript("arguments[0].scrollIntoView({block: 'center'})", status);
    browser.chrome().screenshot("try-it");
    assertThat(cspViolations()).isEmpty();

    // two more calls pass; the third is over the day's quota
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r =
          browser
              .gateway()
              .send(
                  HttpRequest.newBuilder(browser.gateway().uri("/hello"))
                      .header("apikey", key)
                      .GET());
      seen.add(r.statusCode());
    }
    assertThat(seen).containsExactly(200, 200, 429, 429);

    browser.driver().get(portal + "#/catalogue");
    browser.driver().get(portal + "#/applications");
    WebElement usage = browser.chrome().visible(By.cssSelector("[data-testid=usage] dl"));
    browser.waiting().until(ExpectedConditions.textToBePresentInElement(usage, "3 of 3 this day"));
    assertThat(usage.getText()).contains("Latency p99");
    browser.chrome().screenshot("usage");
    JsonNode u =
        ok(client.as(dana, "GET", "/portal/api/applications/" + appId + "/usage", null), 200);
    assertThat(u.get("requests").asLong()).isEqualTo(5);
  }
}
