package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.FirefoxBidi;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The console in Firefox: Debian's headless {@code firefox-esr} driven over WebDriver BiDi ({@link
 * FirefoxBidi}), against a running gateway with a real origin, as {@code ConsoleBrowserTest} and
 * its siblings do in Chromium. The first admin is made on the one-time setup page; the sign-in form
 * is filled and sent with keys only; every main page renders its table or form with no script error
 * and no Content-Security-Policy refusal; a route made in the console answers through the gateway;
 * a refused change shows its problem at its field; markup in a name is shown as text; a 400-pixel
 * window scrolls no page sideways. Screenshots go to {@code
 * target/firefox-screenshots/console-*.png}. Skipped when {@code /usr/bin/firefox-esr} is not
 * installed (failed when {@code CI=true}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleFirefoxBrowserTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final String TOKEN = "firefox-test-token";

  /** Each main page: its heading, and what shows that its table or form rendered. */
  private static final Map<String, String[]> PAGES = new LinkedHashMap<>();

  static {
    PAGES.put("overview", new String[] {"Overview", "[data-testid=route-row]", "orders-api"});
    PAGES.put("services", new String[] {"Services", "[data-testid=service-name]", "backend"});
    PAGES.put("routes", new String[] {"Routes", "[data-testid=route-name]", "orders-api"});
    PAGES.put("consumers", new String[] {"Consumers", "#create-consumer", null});
    PAGES.put("ai", new String[] {"AI", "[data-testid=provider-name]", "local"});
    PAGES.put(
        "alerts", new String[] {"Alerts", "[data-testid=alerts-active]", "Nothing is firing"});
    PAGES.put("logs", new String[] {"Access log", "[data-testid=tail-row]", "/orders/hello"});
    PAGES.put("audit", new String[] {"Audit log", "[data-testid=audit-row]", "vera"});
    PAGES.put(
        "history", new String[] {"Config history", "[data-testid=version-row]", "firefox-route"});
    PAGES.put("accounts", new String[] {"Accounts", "[data-testid=account-name]", "root"});
    PAGES.put("plugins", new String[] {"Global plugins", "[data-testid=plugin-section]", null});
  }

  private static TestOrigin origin;
  private static GatewayFixture gw;
  private static FirefoxBidi firefox;

  @BeforeAll
  static void start() throws Exception {
    try {
      firefox = FirefoxBidi.start("firefox-screenshots", 1280, 1000);
      origin = TestOrigin.start();
      gw =
          GatewayFixture.start(
              ConsoleBrowser.everyPage(KeyHash.of(TOKEN), origin.authority()), Map.of());
    } catch (Throwable e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(firefox, gw, origin);
  }

  private static String console() {
    return gw.gateway().consoleUrl();
  }

  /** The errors logged since the last call, but for the browser's own {@code /favicon.ico}. */
  private static List<String> errors() {
    return firefox.errors().stream().filter(e -> !e.contains("favicon.ico")).toList();
  }

  /** Opens the console signed out: signs whoever is signed in out. */
  private static void signedOut() throws Exception {
    firefox.navigate(console());
    firefox.waitUntil(
        "the sign-in form or a signed-in page",
        "() => document.querySelector('#sign-in')?.checkVisibility()"
            + " || document.querySelector('#sign-out')?.checkVisibility()");
    if (!(Boolean) firefox.call("() => !!document.querySelector('#sign-in')")) {
      firefox.signOut();
    }
  }

  /** Follows the navigation to {@code page} and waits for its table or form. */
  private static void show(String page) throws Exception {
    String[] expect = PAGES.get(page);
    firefox.go(page, expect[0]);
    if (page.equals("logs")) {
      // the tail shows the requests that pass from now on
      Thread.sleep(300);
      assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    }
    if (expect[2] == null) {
      firefox.visible(expect[1]);
    } else {
      firefox.text(expect[1], expect[2]);
    }
  }

  @Test
  @Order(1)
  void firstRunSetupThenTheSignInFormFilledAndSentWithKeysOnly() throws Exception {
    String link = gw.gateway().setupLink();
    assertThat(link).isNotNull();
    firefox.navigate(link);
    firefox.visible("#setup");
    assertThat(firefox.call("() => location.href")).asString().doesNotContain("setup=");
    firefox.type("#name", "root");
    firefox.type("#password", PASSWORD);
    firefox.screenshot("console-setup");
    firefox.click("#setup button[type=submit]");
    firefox.heading("Overview");
    assertThat(gw.gateway().setupLink()).isNull();
    firefox.signOut();
    gw.createAccount(TOKEN, "vera", "viewer", PASSWORD);

    // The keyboard alone: Tab reaches the name field, Tab the password, Enter signs in.
    firefox.navigate(console());
    firefox.visible("#sign-in");
    for (int i = 0; i < 10 && !firefox.focused().equals("name"); i++) {
      firefox.keys(FirefoxBidi.TAB);
    }
    assertThat(firefox.focused()).isEqualTo("name");
    firefox.keys("root" + FirefoxBidi.TAB);
    assertThat(firefox.focused()).isEqualTo("password");
    firefox.keys("wrong password!" + FirefoxBidi.ENTER);
    firefox.text("#sign-in-message", "The account name or password is wrong.");
    firefox.screenshot("console-sign-in");
    firefox.call("() => document.getElementById('password').select()");
    firefox.keys(PASSWORD + FirefoxBidi.ENTER);
    firefox.heading("Overview");
    assertThat(firefox.textOf("#who-name")).isEqualTo("root (admin)");
    // Before signing in, the page asks who is signed in and is told no one (401): nothing else.
    assertThat(errors()).allMatch(e -> e.contains("/auth/me"));
  }

  @Test
  @Order(3)
  void everyMainPageRendersItsTableOrFormWithoutScriptErrorsOrRefusals() throws Exception {
    signedOut();
    firefox.signIn(console(), "root", PASSWORD, "Overview");
    errors();
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    Map<String, List<String>> found = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> page : PAGES.entrySet()) {
      show(page.getKey());
      firefox.screenshot("console-" + page.getKey());
      List<String> seen = errors();
      if (!seen.isEmpty()) {
        found.put(page.getKey(), seen);
      }
    }
    assertThat(found).isEmpty();
  }

  @Test
  @Order(2)
  void aRouteMadeInTheConsoleAnswersThroughTheGatewayAndProblemsShowAtTheirField()
      throws Exception {
    signedOut();
    firefox.signIn(console(), "root", PASSWORD, "Overview");
    firefox.go("routes", "Routes");
    firefox.click("#routes-new");
    firefox.type("#routes-field-name", "firefox-route");
    firefox.type("#routes-field-paths", "/hello");
    firefox.type("#routes-field-service", "backend");
    firefox.click("#routes-review");
    assertThat(firefox.textOf("[data-testid=diff]"))
        .contains("+name: firefox-route", "+service: backend");
    firefox.screenshot("console-route-review");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(404);
    firefox.click("#routes-apply");
    firefox.heading("Route firefox-route");
    HttpResponse<String> called = gw.get("/hello");
    assertThat(called.statusCode()).isEqualTo(200);
    assertThat(called.body()).isEqualTo("Hello, World!");

    // A service that does not exist: the problem at its field, nothing applied.
    firefox.type("#routes-field-service", "nowhere");
    firefox.click("#routes-review");
    assertThat(firefox.textOf("[data-testid=error-service]")).contains("nowhere");
    assertThat(firefox.call("() => document.getElementById('routes-field-service').ariaInvalid"))
        .isEqualTo("true");
    assertThat(firefox.count("#routes-apply")).isZero();
    firefox.screenshot("console-route-problem");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);

    // A name that is markup: the problem quotes it as text.
    firefox.go("routes", "Routes");
    firefox.click("#routes-new");
    firefox.type("#routes-field-name", XSS);
    firefox.type("#routes-field-service", "backend");
    firefox.click("#routes-review");
    assertThat(firefox.textOf("[data-testid=error-name]")).contains(XSS);

    // An account named with markup: listed as its characters.
    firefox.go("accounts", "Accounts");
    firefox.type("#new-name", XSS);
    firefox.select("#new-role", "viewer");
    firefox.type("#new-password", PASSWORD);
    firefox.click("#create-account button[type=submit]");
    firefox.waitUntil(
        "the account listed",
        "(n) => [...document.querySelectorAll('[data-testid=account-name]')]"
            + ".some((e) => e.innerText === n)",
        XSS);
    firefox.screenshot("console-accounts-markup");
    assertThat(firefox.count("img")).isZero();
    firefox.assertNoPrompt();
    assertThat(errors()).isEmpty();
  }

  @Test
  @Order(4)
  void inA400PixelWindowNoPageScrollsSideways() throws Exception {
    signedOut();
    firefox.signIn(console(), "root", PASSWORD, "Overview");
    firefox.resize(400, 900);
    try {
      assertThat(firefox.call("() => window.innerWidth")).isEqualTo(400.0);
      List<String> found = new ArrayList<>();
      for (Map.Entry<String, String[]> page : PAGES.entrySet()) {
        show(page.getKey());
        Object wide =
            firefox.call(
                """
                () => {
                  const w = document.documentElement.clientWidth;
                  if (document.documentElement.scrollWidth <= w) return null;
                  return [...document.querySelectorAll('body *')]
                      .filter((e) => e.getBoundingClientRect().right > w + 1)
                      .slice(0, 5).map((e) => e.tagName + (e.id ? '#' + e.id : '')).join(', ');
                }
                """);
        if (wide != null) {
          found.add(page.getKey() + " scrolls sideways; wider than the window: " + wide);
        }
        if (page.getKey().equals("routes")) {
          firefox.screenshot("console-routes-400px");
        }
      }
      assertThat(found).isEmpty();
      assertThat(errors()).isEmpty();
    } finally {
      firefox.resize(1280, 1000);
    }
  }
}
