package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The route editor's plugin forms in a real browser against a running gateway and a real origin: a
 * rate limit added through the form generated from the plugin's schema goes through the dry run and
 * its YAML diff, a bad value is shown at its field and changes nothing, and once applied the
 * gateway enforces it.
 */
class ConsolePluginFormBrowserTest {

  private static final String TOKEN = "plugin-form-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path profile;
  @TempDir static Path store;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                origin ->
                    ConsoleBrowser.scriptAdmin(KeyHash.of(TOKEN), store, origin.authority())
                        + """
                    routes:
                      - name: shop
                        paths: [ "/shop" ]
                        strip-prefix: true
                        service: backend
                    """);
    gw = ui.gateway();
    browser = ui.chrome();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static String routeJson() throws Exception {
    return gw.send(
            HttpRequest.newBuilder(gw.adminUri("/routes/shop"))
                .header("Authorization", "Bearer " + TOKEN))
        .body();
  }

  @Test
  void aRateLimitAddedThroughItsSchemaFormIsReviewedCheckedAtItsFieldAndThenEnforced()
      throws Exception {
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(200);
    ui.signIn("admin");
    browser.go("routes", "Routes");
    browser
        .waiting()
        .until(d -> !d.findElements(By.cssSelector("[data-testid=route-name]")).isEmpty());
    browser.click(By.cssSelector("[data-testid=route-name]"));
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Route shop"));

    // Chosen from the installed plugins; its form comes from the schema, focus on its first
    // control.
    new Select(browser.visible(By.id("plugin-add-choice"))).selectByVisibleText("rate-limit");
    browser.click(By.id("plugin-add"));
    browser.visible(By.id("plugin-rate-limit"));
    assertThat(browser.visible(By.cssSelector("label[for=plugin-rate-limit-algorithm]")).getText())
        .isEqualTo("algorithm");
    Select algorithm = new Select(browser.visible(By.id("plugin-rate-limit-algorithm")));
    assertThat(algorithm.getOptions())
        .extracting(o -> o.getText())
        .containsExactly(
            "(default: sliding-window)", "sliding-window", "fixed-window", "token-bucket");
    assertThat(browser.visible(By.id("plugin-rate-limit-headers-retry-after")).getAttribute("type"))
        .isEqualTo("checkbox");
    browser.click(By.id("plugin-rate-limit-limits-add"));
    assertThat(browser.driver().switchTo().activeElement().getAttribute("id"))
        .isEqualTo("plugin-rate-limit-limits-0-requests");

    // A bad value: the server's problem at the field, no diff to apply, nothing changed.
    browser.type(By.id("plugin-rate-limit-limits-0-requests"), "0");
    browser.type(By.id("plugin-rate-limit-limits-0-window"), "1h");
    new Select(browser.visible(By.id("plugin-rate-limit-algorithm")))
        .selectByVisibleText("token-bucket");
    assertThat(browser.visible(By.id("routes-json")).getAttribute("value"))
        .contains("\"rate-limit\"", "\"requests\": 0", "\"window\": \"1h\"", "token-bucket")
        .doesNotContain("\"redis\"", "\"headers\"");
    browser.click(By.id("routes-review"));
    assertThat(
            browser
                .visible(By.cssSelector("[data-testid=plugin-rate-limit-limits-0-requests-error]"))
                .getText())
        .contains("$.plugins.rate-limit.limits[0].requests");
    assertThat(
            browser
                .visible(By.id("plugin-rate-limit-limits-0-requests"))
                .getAttribute("aria-invalid"))
        .isEqualTo("true");
    assertThat(browser.driver().findElements(By.id("routes-apply"))).isEmpty();
    browser.screenshot("route-plugin-problem");
    assertThat(JSON.readTree(routeJson()).has("plugins")).isFalse();

    // Fixed: the YAML diff shows the plugin, applied on confirmation, then enforced.
    browser.type(By.id("plugin-rate-limit-limits-0-requests"), "2");
    browser.click(By.id("routes-review"));
    assertThat(browser.visible(By.cssSelector("[data-testid=diff]")).getText())
        .contains("+  rate-limit:", "requests: 2", "window: 1h", "algorithm: token-bucket");
    browser.screenshot("route-plugin-review");
    browser.click(By.id("routes-apply"));
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=route-plugins] li")).size() == 1);
    assertThat(browser.visible(By.id("plugin-rate-limit-limits-0-requests")).getAttribute("value"))
        .isEqualTo("2");
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(429);

    // Removed through the form, the limit is gone after the same review.
    browser.click(By.id("plugin-rate-limit.remove"));
    browser.click(By.id("routes-review"));
    assertThat(browser.visible(By.cssSelector("[data-testid=diff]")).getText())
        .contains("-  rate-limit:");
    browser.click(By.id("routes-apply"));
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=route-plugins] li")).isEmpty());
    assertThat(JSON.readTree(routeJson()).has("plugins")).isFalse();
    // Refused calls (the signed-out probe, the invalid dry run) are logged; nothing else may be.
    assertThat(browser.errors()).allMatch(e -> e.contains("Failed to load resource"));
  }
}
