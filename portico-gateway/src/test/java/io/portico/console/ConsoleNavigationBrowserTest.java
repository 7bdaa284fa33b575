package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every page of the console reached through its navigation in a real browser (Debian's headless
 * Chromium through Debian's chromedriver), as each role: every link a role is shown opens its page,
 * which renders its heading with no script error and no Content-Security-Policy refusal in the
 * browser's log; a role sees only the links its role may use; a viewer finds no control that writes
 * on the pages that have them for an admin. Screenshots of each page go to {@code
 * target/console-screenshots/nav-*.png}. Skipped when {@code /usr/bin/chromium} is not installed.
 */
class ConsoleNavigationBrowserTest {

  private static final String TOKEN = "navigation-test-token";

  /** The navigation's links in their order, each with the heading of its page. */
  private static final Map<String, String> PAGES = new LinkedHashMap<>();

  static {
    PAGES.put("overview", "Overview");
    PAGES.put("alerts", "Alerts");
    PAGES.put("audit", "Audit log");
    PAGES.put("services", "Services");
    PAGES.put("routes", "Routes");
    PAGES.put("plugins", "Global plugins");
    PAGES.put("history", "Config history");
    PAGES.put("accounts", "Accounts");
    PAGES.put("consumers", "Consumers");
    PAGES.put("logs", "Access log");
    PAGES.put("me", "My account");
    PAGES.put("ai", "AI");
  }

  /** For the pages where an admin may write: a control that only a writer is given. */
  private static final Map<String, By> WRITE_CONTROLS =
      Map.of(
          "services", By.id("services-new"),
          "routes", By.id("routes-new"),
          "plugins", By.id("plugins-review"),
          "consumers", By.id("create-consumer"),
          "ai", By.id("provider-form"));

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(origin -> ConsoleBrowser.everyPage(KeyHash.of(TOKEN), origin.authority()));
    gw = ui.gateway();
    chrome = ui.chrome();
    gw.createAccount(TOKEN, "vera", "viewer", PASSWORD);
    gw.createAccount(TOKEN, "otto", "operator", PASSWORD);
    gw.createAccount(TOKEN, "devi", "developer", PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static List<String> shownLinks() {
    return chrome.driver().findElements(By.cssSelector("#nav a")).stream()
        .filter(WebElement::isDisplayed)
        .map(a -> a.getAttribute("data-page"))
        .toList();
  }

  private static List<String> linksBut(Set<String> hidden) {
    return PAGES.keySet().stream().filter(p -> !hidden.contains(p)).toList();
  }

  /**
   * Follows each of {@code pages}' links in turn, right after signing in; answers, page by page,
   * the browser's errors seen while it was shown. The sign-in page's refused {@code GET /auth/me}
   * (401, before signing in) is the one error expected, besides the browser's own request for a
   * {@code /favicon.ico}, which the console does not serve.
   */
  private static Map<String, List<String>> visit(List<String> pages, String shotPrefix)
      throws Exception {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    boolean first = true;
    for (String page : pages) {
      chrome.go(page, PAGES.get(page));
      if (page.equals("services")) {
        waitForRow("backend");
      } else if (page.equals("routes")) {
        waitForRow("orders-api");
      } else if (page.equals("ai")) {
        waitForRow("local");
      }
      chrome.screenshot(shotPrefix + page);
      List<String> seen =
          chrome.errors().stream().filter(e -> !e.contains("/favicon.ico ")).toList();
      if (first) {
        seen = seen.stream().filter(e -> !(e.contains("/auth/me") && e.contains("401"))).toList();
        first = false;
      }
      if (!seen.isEmpty()) {
        errors.put(page, seen);
      }
    }
    return errors;
  }

  private static void waitForRow(String text) {
    chrome
        .waiting()
        .until(
            d ->
                d.findElements(By.cssSelector("#app tbody tr")).stream()
                    .anyMatch(r -> r.getText().contains(text)));
  }

  @Test
  void everyRoleReachesEachOfItsPagesThroughTheNavigationWithoutScriptErrors() throws Exception {
    String console = gw.gateway().consoleUrl();

    // An admin is shown every link; every page renders, and writers get their controls.
    chrome.signIn(console, "admin", PASSWORD);
    assertThat(shownLinks()).containsExactlyElementsOf(PAGES.keySet());
    assertThat(visit(List.copyOf(PAGES.keySet()), "nav-")).isEmpty();
    for (Map.Entry<String, By> control : WRITE_CONTROLS.entrySet()) {
      chrome.go(control.getKey(), PAGES.get(control.getKey()));
      chrome.visible(control.getValue());
    }
    assertThat(chrome.errors()).isEmpty();
    chrome.signOut();

    // An operator: everything but the accounts.
    chrome.signIn(console, "otto", PASSWORD);
    assertThat(shownLinks()).containsExactlyElementsOf(linksBut(Set.of("accounts")));
    assertThat(visit(linksBut(Set.of("accounts")), "nav-operator-")).isEmpty();
    chrome.signOut();

    // A viewer reads the same pages but is given no control that writes.
    chrome.signIn(console, "vera", PASSWORD);
    assertThat(shownLinks()).containsExactlyElementsOf(linksBut(Set.of("accounts")));
    assertThat(visit(linksBut(Set.of("accounts")), "nav-viewer-")).isEmpty();
    for (Map.Entry<String, By> control : WRITE_CONTROLS.entrySet()) {
      chrome.go(control.getKey(), PAGES.get(control.getKey()));
      if (control.getKey().equals("plugins")) {
        chrome
            .waiting()
            .until(
                ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("[data-testid=plugin-section]"), "No plugin is configured"));
      } else if (!control.getKey().equals("consumers")) {
        waitForRow(control.getKey().equals("ai") ? "local" : "backend");
      }
      assertThat(chrome.driver().findElements(control.getValue())).as(control.getKey()).isEmpty();
      assertThat(chrome.driver().findElements(By.cssSelector("#app form")))
          .as(control.getKey())
          .isEmpty();
      assertThat(chrome.driver().findElements(By.cssSelector("#app a.button")))
          .as(control.getKey())
          .isEmpty();
    }
    assertThat(chrome.errors()).isEmpty();
    chrome.signOut();

    // A developer uses the portal: the console has only its own account for it, even when the
    // address names another page.
    chrome.signIn(console + "#/overview", "devi", PASSWORD, "My account");
    assertThat(shownLinks()).containsExactly("me");
    assertThat(visit(List.of("me"), "nav-developer-")).isEmpty();
  }
}
