package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The live overview in a real browser against a running gateway and real origins: a service and a
 * route created with the console's own admin API calls take traffic and show on the overview within
 * seconds, per route and per service with their upstream health, beside the top consumers and the
 * firing alerts.
 */
class ConsoleOverviewBrowserTest {

  private static final String KEY = "overview-test-key";

  @TempDir static Path profile;
  private static ConsoleBrowser ui;
  private static TestOrigin inventory;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    inventory = TestOrigin.start();
    ui =
        ConsoleBrowser.builder(profile)
            .start(
                origin ->
                    """
                    admin:
                      address: 127.0.0.1:0
                    metrics:
                      per-consumer: true
                    services:
                      - name: backend
                        targets: [ "%s" ]
                    consumers:
                      - name: mobile-app
                        credentials:
                          key-auth: { key: "%s" }
                    alerts:
                      evaluation-interval: 200ms
                      notifiers:
                        - name: log
                          type: log
                      rules:
                        - name: orders-errors
                          kind: error-rate
                          route: orders-api
                          threshold: 50%%
                          window: 1m
                          min-requests: 1
                          notifiers: [ log ]
                    routes:
                      - name: orders-api
                        paths: [ "/orders" ]
                        strip-prefix: true
                        service: backend
                      - name: partner-api
                        paths: [ "/partner" ]
                        strip-prefix: true
                        service: backend
                        plugins:
                          key-auth: {}
                    """
                            .formatted(origin.authority(), KeyHash.of(KEY))
                        + bulkRoutes());
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
  }

  /** A thousand more routes, each with its meters, none with traffic. */
  private static String bulkRoutes() {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 1000; i++) {
      String name = "bulk-%04d".formatted(i);
      b.append("  - { name: ").append(name).append(", paths: [ \"/").append(name);
      b.append("\" ], service: backend }\n");
    }
    return b.toString();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui, inventory);
  }

  /** Calls the admin API the way the console's pages do: its api.js, with the session's CSRF. */
  private static Object consoleApi(String method, String path, String json) {
    return ((JavascriptExecutor) driver)
        .executeAsyncScript(
            """
            const done = arguments[arguments.length - 1];
            import('/console/api.js')
              .then((m) => m.api(arguments[0], arguments[1], JSON.parse(arguments[2])))
              .then(() => done('ok'), (e) => done('failed: ' + e.message));
            """,
            method,
            path,
            json);
  }

  private static List<String> rows(String testid) {
    return driver.findElements(By.cssSelector("[data-testid=" + testid + "]")).stream()
        .map(WebElement::getText)
        .toList();
  }

  @Test
  void serviceAndRouteCreatedThroughTheConsoleApiShowOnTheOverviewWithinSeconds() throws Exception {
    ui.signIn("admin");

    assertThat(
            consoleApi(
                "POST",
                "/services",
                "{\"name\": \"inventory\", \"targets\": [\"" + inventory.authority() + "\"]}"))
        .isEqualTo("ok");
    assertThat(
            consoleApi(
                "POST",
                "/routes",
                """
                {"name": "inventory-api", "paths": ["/inventory"], "strip-prefix": true,
                 "service": "inventory"}"""))
        .isEqualTo("ok");

    for (int i = 0; i < 5; i++) {
      assertThat(gw.get("/inventory/hello").statusCode()).isEqualTo(200);
    }
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/partner/hello")).header("apikey", KEY).GET())
                .statusCode())
        .isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/orders/status/500").statusCode()).isEqualTo(500);
    }

    // Per route and per service, with the service's upstream health, within seconds.
    chrome
        .waiting()
        .until(
            d ->
                rows("route-row").stream()
                        .anyMatch(r -> r.startsWith("inventory-api inventory") && r.endsWith(" 5"))
                    && rows("service-row").stream()
                        .anyMatch(
                            r ->
                                r.startsWith("inventory ")
                                    && r.contains(" 5 ")
                                    && r.contains("ok, 1 endpoint")
                                    && r.contains("1/1 available")));
    // The top consumers (metrics.per-consumer is on) and the firing alert.
    chrome
        .waiting()
        .until(d -> rows("consumer-row").stream().anyMatch(r -> r.startsWith("mobile-app ")));
    chrome
        .waiting()
        .until(d -> rows("firing-alert").stream().anyMatch(r -> r.startsWith("orders-errors ")));
    assertThat(rows("route-row")).anySatisfy(r -> assertThat(r).startsWith("orders-api backend"));

    // With traffic flowing, the rates show; the whole page goes in the screenshot.
    AtomicBoolean flowing = new AtomicBoolean(true);
    Thread traffic =
        new Thread(
            () -> {
              for (int i = 0; flowing.get(); i++) {
                try {
                  gw.get("/inventory/hello");
                  gw.send(
                      HttpRequest.newBuilder(gw.uri("/partner/hello")).header("apikey", KEY).GET());
                  gw.get(i % 10 == 0 ? "/orders/status/500" : "/orders/hello");
                  Thread.sleep(20);
                } catch (Exception e) {
                  return;
                }
              }
            },
            "overview-traffic");
    traffic.start();
    try {
      chrome
          .waiting()
          .until(
              d ->
                  rows("route-row").stream()
                      .anyMatch(r -> r.matches("inventory-api inventory [1-9][0-9.]* .*")));
      driver.manage().window().setSize(new Dimension(1280, 2000));
      chrome.screenshot("overview");
      driver.manage().window().setSize(new Dimension(1280, 900));
    } finally {
      flowing.set(false);
      traffic.join();
    }

    // The search narrows both tables to what matches.
    chrome.type(By.id("overview-search"), "invent");
    chrome
        .waiting()
        .until(
            d ->
                rows("route-row").size() == 1
                    && rows("route-row").get(0).startsWith("inventory-api")
                    && rows("service-row").size() == 1);
    assertThat(driver.findElement(By.cssSelector("[data-testid=route-count]")).getText())
        .startsWith("1 of 1 route matching");

    // A thousand routes: the busiest twenty are drawn, and the search finds any other.
    chrome.type(By.id("overview-search"), "bulk-0777");
    chrome
        .waiting()
        .until(
            d ->
                rows("route-row").size() == 1 && rows("route-row").get(0).startsWith("bulk-0777 "));
    driver.findElement(By.id("overview-search")).clear();
    chrome.type(By.id("overview-search"), " ");
    chrome.waiting().until(d -> rows("route-row").size() == 20);
    assertThat(driver.findElement(By.cssSelector("[data-testid=route-count]")).getText())
        .isEqualTo("20 of 1004 routes, busiest first.");
    assertThat(rows("route-row").subList(0, 3))
        .allMatch(
            r ->
                r.startsWith("inventory-api")
                    || r.startsWith("orders-api")
                    || r.startsWith("partner-api"));
  }
}
