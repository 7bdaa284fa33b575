package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The plugin forms generated from each plugin's schema on the services page and on the global
 * plugins page, in a real browser against a running gateway and a real origin: a plugin added
 * through the form is reviewed as a YAML diff, a value the plugin refuses is shown at its field and
 * changes nothing, and once applied the plugin runs on the proxied calls (a service's plugin on its
 * routes, a global plugin on every route whose service does not configure one of that name).
 */
class ConsoleServiceAndGlobalPluginsBrowserTest {

  private static final String TOKEN = "service-plugins-token";
  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path profile;
  @TempDir static Path store;
  private static ConsoleBrowser ui;
  private static TestOrigin origin;
  private static GatewayFixture gw;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() throws Exception {
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                o ->
                    """
                    admin:
                      address: 127.0.0.1:0
                      store: %s
                      tokens:
                        - { name: script, hash: "%s", role: read-write }
                    services:
                      - name: backend
                        targets: [ "%s" ]
                      - name: other
                        targets: [ "%s" ]
                    routes:
                      - name: shop
                        paths: [ "/shop" ]
                        strip-prefix: true
                        service: backend
                      - name: blog
                        paths: [ "/blog" ]
                        strip-prefix: true
                        service: other
                    """
                        .formatted(store, KeyHash.of(TOKEN), o.authority(), o.authority()));
    origin = ui.origin();
    gw = ui.gateway();
    browser = ui.chrome();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui);
  }

  /** Fails when the page holds an element parsed from {@link #XSS} or a script of it ran. */
  private static void noMarkupRan() {
    browser.assertNoAlert();
    assertThat(browser.driver().findElements(By.cssSelector("img[src=x]"))).isEmpty();
  }

  private static JsonNode admin(String path) throws Exception {
    return JSON.readTree(
        gw.send(
                HttpRequest.newBuilder(gw.adminUri(path))
                    .header("Authorization", "Bearer " + TOKEN))
            .body());
  }

  /** Empties a text control the way a person does, so that its input event fires. */
  private static void empty(By by) {
    browser.visible(by).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
  }

  /** Adds the response-headers plugin through the form, with a header name it refuses. */
  private static void addResponseHeadersWithABadName() {
    new Select(browser.visible(By.id("plugin-add-choice"))).selectByVisibleText("response-headers");
    browser.click(By.id("plugin-add"));
    browser.visible(By.id("plugin-response-headers"));
    assertThat(browser.visible(By.id("plugin-response-headers-remove")).getTagName())
        .isEqualTo("textarea");
    browser.type(By.id("plugin-response-headers-remove"), "Bad Header");
  }

  /** Replaces the refused value with a header to set, {@code name: value}. */
  private static void fixWithHeader(String name, String value) {
    empty(By.id("plugin-response-headers-remove"));
    browser.type(By.id("plugin-response-headers-set"), "{\"" + name + "\": \"" + value + "\"}");
  }

  @Test
  void aServicesPluginIsReviewedCheckedAtItsFieldAndThenRunsOnItsRoutes() throws Exception {
    HttpResponse<String> before = gw.get("/shop/hello");
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.headers().firstValue("X-Service")).isEmpty();
    browser.signIn(gw.gateway().consoleUrl(), "admin", ConsoleBrowser.PASSWORD);
    browser.go("services", "Services");
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=service-name]")).size() == 2);
    browser.click(By.xpath("//a[@data-testid='service-name' and text()='backend']"));
    browser.waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Service backend"));

    addResponseHeadersWithABadName();
    browser.click(By.id("services-review"));
    assertThat(
            browser
                .visible(By.cssSelector("[data-testid=plugin-response-headers-remove-error]"))
                .getText())
        .contains("$.plugins.response-headers.remove[0]", "Bad Header");
    assertThat(
            browser.visible(By.id("plugin-response-headers-remove")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    assertThat(browser.driver().findElements(By.id("services-apply"))).isEmpty();
    browser.screenshot("service-plugin-problem");
    assertThat(admin("/services/backend").has("plugins")).isFalse();
    assertThat(gw.get("/shop/hello").headers().firstValue("X-Service")).isEmpty();

    fixWithHeader("X-Service", "backend");
    browser.click(By.id("services-review"));
    assertThat(browser.visible(By.cssSelector("[data-testid=diff]")).getText())
        .contains("--- a/services/backend", "+plugins:", "+  response-headers:", "X-Service");
    browser.screenshot("service-plugin-review");
    browser.click(By.id("services-apply"));
    browser
        .waiting()
        .until(d -> d.findElements(By.cssSelector("[data-testid=review]:not([hidden])")).isEmpty());
    browser
        .waiting()
        .until(
            d ->
                d.findElement(By.id("plugin-response-headers-set"))
                    .getAttribute("value")
                    .contains("X-Service"));
    assertThat(admin("/services/backend").at("/plugins/response-headers/set/X-Service").asText())
        .isEqualTo("backend");
    assertThat(gw.get("/shop/hello").headers().firstValue("X-Service")).hasValue("backend");
    assertThat(gw.get("/blog/hello").headers().firstValue("X-Service")).isEmpty();

    // The global plugins page: the same form over the config's plugins map.
    browser.go("plugins", "Global plugins");
    assertThat(browser.visible(By.cssSelector("[data-testid=plugins-list]")).getText())
        .contains("No global plugin");
    addResponseHeadersWithABadName();
    browser.click(By.id("plugins-review"));
    assertThat(
            browser
                .visible(By.cssSelector("[data-testid=plugin-response-headers-remove-error]"))
                .getText())
        .contains("$.plugins.response-headers.remove[0]", "Bad Header");
    assertThat(
            browser.visible(By.id("plugin-response-headers-remove")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    assertThat(browser.driver().findElements(By.id("plugins-apply"))).isEmpty();
    browser.screenshot("global-plugin-problem");
    assertThat(admin("/plugins").get("total").asInt()).isZero();

    fixWithHeader("X-Global", "everywhere");
    browser.click(By.id("plugins-review"));
    assertThat(browser.visible(By.cssSelector("[data-testid=diff]")).getText())
        .contains("+++ b/plugins/response-headers", "X-Global", "everywhere");
    browser.screenshot("global-plugin-review");
    assertThat(admin("/plugins").get("total").asInt()).isZero();
    browser.click(By.id("plugins-apply"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=editor-message]"), "Applied"));
    assertThat(browser.visible(By.cssSelector("[data-testid=plugins-row]")).getText())
        .contains("response-headers", "api");
    assertThat(admin("/plugins/response-headers").at("/set/X-Global").asText())
        .isEqualTo("everywhere");
    // every route runs it, but a service's own response-headers takes the place of the global one
    assertThat(gw.get("/blog/hello").headers().firstValue("X-Global")).hasValue("everywhere");
    HttpResponse<String> shop = gw.get("/shop/hello");
    assertThat(shop.headers().firstValue("X-Service")).hasValue("backend");
    assertThat(shop.headers().firstValue("X-Global")).isEmpty();

    // Removed through the form, after the same review, the global plugin is gone.
    browser.click(By.id("plugin-response-headers.remove"));
    browser.click(By.id("plugins-review"));
    assertThat(browser.visible(By.cssSelector("[data-testid=diff]")).getText())
        .contains("--- a/plugins/response-headers", "+++ /dev/null");
    browser.click(By.id("plugins-apply"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-testid=plugins-list]"), "No global plugin"));
    assertThat(gw.get("/blog/hello").headers().firstValue("X-Global")).isEmpty();

    // Values that look like markup show as text: a refused service name, a global plugin's value.
    browser.go("services", "Services");
    browser.click(By.id("services-new"));
    browser.type(By.id("services-field-name"), XSS);
    browser.type(By.id("services-field-targets"), origin.authority());
    browser.click(By.id("services-review"));
    assertThat(browser.visible(By.cssSelector("[data-testid=error-name]")).getText()).contains(XSS);
    noMarkupRan();
    HttpResponse<String> put =
        gw.send(
            HttpRequest.newBuilder(gw.adminUri("/config/changes"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode()
                            .set(
                                "changes",
                                JSON.createArrayNode()
                                    .add(
                                        JSON.createObjectNode()
                                            .put("op", "put")
                                            .put("kind", "plugins")
                                            .put("name", "response-headers")
                                            .set(
                                                "object",
                                                JSON.createObjectNode()
                                                    .set(
                                                        "set",
                                                        JSON.createObjectNode()
                                                            .put("X-Markup", XSS)))))
                            .toString())));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    browser.go("plugins", "Global plugins");
    assertThat(browser.visible(By.id("plugin-response-headers-set")).getAttribute("value"))
        .contains("X-Markup", XSS);
    assertThat(browser.visible(By.cssSelector("[data-testid=plugins-row]")).getText())
        .contains("response-headers");
    browser.screenshot("global-plugin-markup");
    noMarkupRan();

    // A viewer reads the page with nothing to change.
    gw.createAccount(TOKEN, "vera", "viewer", ConsoleBrowser.PASSWORD);
    browser.signOut();
    browser.signIn(gw.gateway().consoleUrl(), "vera", ConsoleBrowser.PASSWORD);
    browser.go("plugins", "Global plugins");
    assertThat(browser.visible(By.id("plugin-response-headers-set")).getAttribute("value"))
        .contains(XSS);
    noMarkupRan();
    assertThat(browser.driver().findElements(By.id("plugins-review"))).isEmpty();
    assertThat(browser.driver().findElements(By.id("plugin-add"))).isEmpty();
    // Refused calls (the signed-out probe, the invalid dry runs) are logged; nothing else may be.
    assertThat(browser.errors()).allMatch(e -> e.contains("Failed to load resource"));
  }
}
