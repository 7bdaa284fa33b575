package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The console on a gateway that runs without alerting, metrics and AI providers, in a real browser:
 * each page whose feature is off says which one and how to turn it on (an empty state), never a raw
 * 404 or an error. Skipped when {@code /usr/bin/chromium} is not installed.
 */
class ConsoleFeatureOffBrowserTest {

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                """
                    admin:
                      address: 127.0.0.1:0
                    metrics:
                      enabled: false
                    routes:
                      - name: hello
                        paths: [ "/hello" ]
                        plugins:
                          mock: { body: hi }
                    """);
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static void noErrorShown() {
    assertThat(driver.findElements(By.cssSelector("#app .error"))).isEmpty();
    assertThat(driver.findElement(By.id("app")).getText()).doesNotContain("404", "Not Found");
  }

  @Test
  void pagesOfFeaturesThatAreOffSayHowToTurnThemOn() throws Exception {
    ui.signIn("admin");

    // The overview: no metrics, no alerting; each says so in its place.
    assertThat(chrome.visible(By.cssSelector("[data-testid=metrics-off]")).getText())
        .contains("Metrics are off", "metrics.enabled: false", "docs/observability.md#metrics");
    assertThat(chrome.visible(By.cssSelector("[data-testid=alerting-off]")).getText())
        .contains("Alerting is off", "alerts", "docs/observability.md#alerting");
    noErrorShown();

    // The alerts page: the empty state in place of the tables and the silence form.
    chrome.go("alerts", "Alerts");
    assertThat(chrome.visible(By.cssSelector("[data-testid=alerting-off]")).getText())
        .contains("Alerting is off")
        .contains("Add an alerts section")
        .contains("docs/observability.md#alerting");
    assertThat(driver.findElements(By.id("create-silence"))).isEmpty();
    noErrorShown();
    chrome.screenshot("alerts-off");

    // The AI page: no provider yet is a list to fill, and usage is not counted without metrics.
    chrome.go("ai", "AI");
    assertThat(chrome.visible(By.cssSelector("[data-testid=metrics-off]")).getText())
        .contains("Token usage is not counted");
    chrome
        .waiting()
        .until(
            d ->
                d.findElement(By.cssSelector("[data-testid=ai-providers] tbody"))
                    .getText()
                    .equals("No providers yet."));
    chrome.visible(By.id("provider-form"));
    noErrorShown();
  }
}
