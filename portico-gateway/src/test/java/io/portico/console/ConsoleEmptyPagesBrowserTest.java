package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.HeadlessChromium;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The console of a gateway with no service and no route, as a new user first sees it, in a real
 * browser: the empty routes and services pages say what a route and a service are and how to make
 * the first one, not a bare "None yet". Skipped when {@code /usr/bin/chromium} is not installed.
 */
class ConsoleEmptyPagesBrowserTest {

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static HeadlessChromium chrome;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                """
                admin:
                  address: 127.0.0.1:0
                """);
    chrome = ui.chrome();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static String emptyList(String kind) {
    By body = By.cssSelector("[data-testid=" + kind + "-list] tbody");
    chrome.waiting().until(d -> d.findElement(body).getText().startsWith("No "));
    return chrome.visible(body).getText();
  }

  @Test
  void emptyRoutesAndServicesPagesSayWhatTheKindIsAndHowToMakeTheFirst() throws Exception {
    ui.signIn("admin");

    chrome.go("routes", "Routes");
    assertThat(emptyList("routes"))
        .startsWith("No route yet. A route matches requests by path, host or method")
        .contains(
            "sends them to a service", "make the first with New route, or in the config file.");
    chrome.visible(By.id("routes-new"));
    chrome.screenshot("routes-empty");

    chrome.go("services", "Services");
    assertThat(emptyList("services"))
        .startsWith("No service yet. A service is where routes send requests")
        .contains("Make the first with New service, or in the config file.");
    chrome.visible(By.id("services-new"));
  }
}
