package io.portico.console;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every console page, and the sign-in page, checked in a real browser for what keyboard and
 * screen-reader users need: every input, select and textarea has a label (or an aria-label), every
 * button and link a name, no positive tabindex and Tab visiting the page's controls in document
 * order, unique ids, one h1, and text contrast of at least 4.5:1 (3:1 for large text) against the
 * background it is drawn on (WCAG 2.1 AA). Then, in a 390x844 window (a phone), the navigation
 * reaches every page and no page scrolls sideways. Skipped when {@code /usr/bin/chromium} is not
 * installed.
 */
class ConsoleAccessibilityBrowserTest {

  /** The pages: the hash each is opened at and the heading it shows. */
  private static final String[][] PAGES = {
    {"overview", "Overview"},
    {"alerts", "Alerts"},
    {"audit", "Audit log"},
    {"services", "Services"},
    {"services/backend", "Service backend"},
    {"routes", "Routes"},
    {"routes/orders-api", "Route orders-api"},
    {"history", "Config history"},
    {"accounts", "Accounts"},
    {"consumers", "Consumers"},
    {"logs", "Access log"},
    {"me", "My account"},
    {"ai", "AI"},
  };

  /** Answers the page's problems as a list of strings. */
  private static final String CHECKS =
      """
      const out = [];
      const text = (s) => (s || '').replace(/\\s+/g, ' ').trim();
      const shown = (e) => {
        const s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return s.visibility !== 'hidden' && s.display !== 'none' && (r.width > 0 || r.height > 0);
      };
      const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '');
      const labelled = (e) => {
        if (text(e.getAttribute('aria-label'))) return true;
        const by = e.getAttribute('aria-labelledby');
        if (by && by.split(/\\s+/).some((id) => document.getElementById(id)
            && text(document.getElementById(id).textContent))) return true;
        return [...(e.labels || [])].some((l) => text(l.textContent));
      };
      for (const e of document.querySelectorAll('input, select, textarea')) {
        if (e.type !== 'hidden' && shown(e) && !labelled(e)) out.push('control without a label: ' + name(e));
      }
      for (const e of document.querySelectorAll('button, [role=button]')) {
        if (shown(e) && !text(e.textContent) && !text(e.getAttribute('aria-label'))) {
          out.push('button without a name: ' + name(e));
        }
      }
      for (const e of document.querySelectorAll('a[href]')) {
        if (shown(e) && !text(e.textContent) && !text(e.getAttribute('aria-label'))) {
          out.push('link without a name: ' + name(e));
        }
      }
      for (const e of document.querySelectorAll('[tabindex]')) {
        if (Number(e.getAttribute('tabindex')) > 0) out.push('positive tabindex: ' + name(e));
      }
      const ids = new Map();
      for (const e of document.querySelectorAll('[id]')) ids.set(e.id, (ids.get(e.id) || 0) + 1);
      for (const [id, n] of ids) if (n > 1) out.push('duplicate id: ' + id);
      if (!document.documentElement.lang) out.push('html without lang');
      if (!text(document.title)) out.push('page without a title');
      const h1 = [...document.querySelectorAll('h1')].filter(shown).length;
      if (h1 !== 1) out.push(h1 + ' visible h1 elements (expected: one)');
      const rgba = (c) => {
        const m = /rgba?\\(([^)]+)\\)/.exec(c);
        if (!m) return null;
        const p = m[1].split(',').map(Number);
        return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
      };
      const over = (top, under) => ({
        r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
        b: top.b * top.a + under.b * (1 - top.a), a: 1 });
      const background = (e) => {
        const layers = [];
        for (let n = e; n; n = n.parentElement) {
          const c = rgba(getComputedStyle(n).backgroundColor);
          if (c && c.a > 0) {
            layers.push(c);
            if (c.a >= 1) break;
          }
        }
        let bg = { r: 255, g: 255, b: 255, a: 1 };
        for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
        return bg;
      };
      const lum = (c) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
      };
      for (const e of document.querySelectorAll('body *')) {
        const own = [...e.childNodes].some((n) => n.nodeType === 3 && text(n.textContent));
        if (!own || !shown(e) || e.disabled) continue;
        const s = getComputedStyle(e);
        const bg = background(e);
        const fg = over(rgba(s.color), bg);
        const a = lum(fg);
        const b = lum(bg);
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) {
          out.push('contrast ' + ratio.toFixed(2) + ':1 of ' + name(e) + ' "' + text(e.textContent).slice(0, 30) + '"');
        }
      }
      return out;
      """;

  /** Marks the focusable elements in document order and answers how many there are. */
  private static final String FOCUSABLE =
      """
      const shown = (e) => {
        const s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return s.visibility !== 'hidden' && s.display !== 'none' && (r.width > 0 || r.height > 0);
      };
      const list = [...document.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]')]
        .filter((e) => shown(e) && !e.disabled && e.getAttribute('tabindex') !== '-1'
          && e.type !== 'hidden' && !e.closest('[hidden], dialog:not([open])'));
      list.forEach((e, i) => { e.dataset.focusOrder = String(i); });
      return list.length;
      """;

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
                origin ->
                    """
                    admin:
                      address: 127.0.0.1:0
                    services:
                      - name: backend
                        targets: [ "%s" ]
                    routes:
                      - name: orders-api
                        paths: [ "/orders" ]
                        strip-prefix: true
                        service: backend
                    portal:
                      sign-up: true
                    consumers:
                      - name: shop
                    alerts:
                      notifiers:
                        - { name: log, type: log }
                      rules:
                        - { name: orders-errors, kind: error-rate, route: orders-api, threshold: 50%%,
                            window: 1m, notifiers: [ log ] }
                    ai:
                      providers:
                        - { name: local, kind: openai-compatible, base-url: "http://127.0.0.1:9/v1" }
                      models:
                        - { name: small, targets: [ { provider: local } ] }
                    """
                        .formatted(origin.authority()));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static void open(String page, String heading) {
    driver.get(gw.gateway().consoleUrl() + "#/" + page);
    chrome.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), heading));
    // The page's first reading is in: its tables have rows, its forms their fields.
    chrome.waiting().until(d -> js("return document.readyState").equals("complete"));
  }

  /** The console's sign-in page, whatever an earlier test left signed in. */
  private static void signedOut() {
    driver.get(gw.gateway().consoleUrl());
    chrome
        .waiting()
        .until(
            d ->
                !d.findElements(By.id("sign-in")).isEmpty()
                    || d.findElement(By.id("who")).isDisplayed());
    if (driver.findElements(By.id("sign-in")).isEmpty()) {
      chrome.signOut();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> problems(String where) {
    List<String> found = new ArrayList<>();
    for (Object p : (List<Object>) js(CHECKS)) {
      found.add(where + ": " + p);
    }
    return found;
  }

  /**
   * Tab from the brand link visits every focusable element once, in document order. A page that
   * draws its rows while this runs replaces the marked elements, so a focus on an unmarked element
   * marks the page again and starts over (twice at most).
   */
  private static List<String> tabOrder(String where) {
    List<String> found = List.of();
    for (int attempt = 0; attempt < 3; attempt++) {
      found = tabOrderOnce(where);
      if (found.isEmpty() || !found.get(0).contains("unmarked")) {
        return found;
      }
    }
    return found;
  }

  private static List<String> tabOrderOnce(String where) {
    int count = ((Number) js(FOCUSABLE)).intValue();
    List<String> found = new ArrayList<>();
    js("document.querySelector('a.brand').focus()");
    for (int i = 1; i < count; i++) {
      new Actions(driver).sendKeys(Keys.TAB).perform();
      Object at =
          js(
              "const e = document.activeElement; return e.dataset.focusOrder || 'unmarked ' + e.outerHTML.slice(0, 80);");
      if (String.valueOf(at).startsWith("unmarked")) {
        found.add(where + ": Tab number " + i + " reached an unmarked " + at);
        break;
      }
      if (!String.valueOf(at).equals(String.valueOf(i))) {
        found.add(
            where + ": Tab number " + i + " reached " + at + " (expected: element " + i + ")");
        break;
      }
    }
    return found;
  }

  @Test
  void everyPageHasLabelledControlsNamedButtonsDocumentTabOrderAndReadableContrast() {
    List<String> found = new ArrayList<>();
    signedOut();
    found.addAll(problems("sign-in"));
    found.addAll(tabOrder("sign-in"));
    ui.signIn("admin");
    for (String[] page : PAGES) {
      open(page[0], page[1]);
      found.addAll(problems(page[0]));
      found.addAll(tabOrder(page[0]));
    }
    assertThat(found).isEmpty();
  }

  @Test
  void thePortalPagesPassTheSameChecks() {
    List<String> found = new ArrayList<>();
    String portal = gw.gateway().portalUrl();
    assertThat(portal).isNotNull();
    signedOut();
    driver.get(portal);
    chrome.visible(By.id("sign-up"));
    found.addAll(problems("portal sign-in"));
    found.addAll(tabOrder("portal sign-in"));
    chrome.type(By.id("new-name"), "dana");
    chrome.type(By.id("new-password"), PASSWORD);
    driver.findElement(By.cssSelector("#sign-up button[type=submit]")).click();
    chrome
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("sign-in-message"), "Now sign in with that name and password"));
    chrome.type(By.id("name"), "dana");
    chrome.type(By.id("password"), PASSWORD);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    chrome.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "APIs"));
    found.addAll(problems("portal catalogue"));
    found.addAll(tabOrder("portal catalogue"));
    driver.findElement(By.cssSelector("a[data-page=applications]")).click();
    chrome.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Applications"));
    found.addAll(problems("portal applications"));
    found.addAll(tabOrder("portal applications"));
    assertThat(found).isEmpty();
  }

  @Test
  void inAPhoneSizedWindowTheNavigationReachesEveryPageAndNoPageScrollsSideways() {
    signedOut();
    ui.signIn("admin");
    driver.manage().window().setSize(new Dimension(390, 844));
    try {
      assertThat(((Number) js("return window.innerWidth")).intValue()).isLessThanOrEqualTo(400);
      List<String> found = new ArrayList<>();
      for (String[] page : PAGES) {
        if (page[0].contains("/")) {
          open(page[0], page[1]);
        } else {
          // Through the navigation, as a user of a phone reaches it: each link in view and usable.
          WebElement link = driver.findElement(By.cssSelector("nav a[data-page=" + page[0] + "]"));
          ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView()", link);
          assertThat(link.isDisplayed()).as(page[0] + " link shown").isTrue();
          link.click();
          chrome.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), page[1]));
        }
        Object wide =
            js(
                "const w = document.documentElement.clientWidth;"
                    + "if (document.documentElement.scrollWidth <= w) return null;"
                    + "return [...document.querySelectorAll('body *')]"
                    + ".filter((e) => e.getBoundingClientRect().right > w + 1)"
                    + ".slice(0, 5).map((e) => e.tagName + (e.id ? '#' + e.id : '')"
                    + " + (e.className ? '.' + e.className : '')).join(', ');");
        if (wide != null) {
          found.add(page[0] + " scrolls sideways; wider than the window: " + wide);
        }
      }
      assertThat(found).isEmpty();
    } finally {
      driver.manage().window().setSize(new Dimension(1280, 1000));
    }
  }
}
