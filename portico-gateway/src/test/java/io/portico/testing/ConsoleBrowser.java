package io.portico.testing;

import io.portico.app.Gateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What a browser test of the console or the portal runs against: a real origin ({@link
 * TestOrigin}), a gateway ({@link GatewayFixture}) whose config the test writes around the origin's
 * address, and Debian's headless Chromium ({@link HeadlessChromium}). A test class starts one in
 * its {@code @BeforeAll} and closes it in its {@code @AfterAll}.
 *
 * <pre>{@code
 * ui = ConsoleBrowser.builder(profile).start(origin -> """
 *     admin:
 *       address: 127.0.0.1:0
 *     services:
 *       - { name: backend, targets: [ "%s" ] }
 *     """.formatted(origin.authority()));
 * ui.signIn("admin");
 * }</pre>
 *
 * <p>A test whose gateway needs no origin (or has origins of its own) starts without one ({@link
 * Builder#start(String)}). Unless {@link Builder#firstRun} says otherwise, the gateway starts with
 * the first admin account {@code admin} and its password {@link #PASSWORD} ({@value
 * Gateway#ADMIN_PASSWORD_ENV}); tests give the accounts they create the same password. Starting
 * goes origin, gateway, browser; when a step fails (a missing {@code /usr/bin/chromium} skips the
 * class) what was started before it is closed. {@link #close} goes the other way: browser, gateway,
 * origin.
 */
public final class ConsoleBrowser implements AutoCloseable {

  /** The password of the first admin account, and of the accounts the tests create. */
  public static final String PASSWORD = "correct horse battery";

  private final @Nullable TestOrigin origin;
  private final GatewayFixture gateway;
  private final HeadlessChromium chrome;

  private ConsoleBrowser(
      @Nullable TestOrigin origin, GatewayFixture gateway, HeadlessChromium chrome) {
    this.origin = origin;
    this.gateway = gateway;
    this.chrome = chrome;
  }

  /** A browser with its profile in {@code profile} (a temporary directory of the test). */
  public static Builder builder(Path profile) {
    return new Builder(profile);
  }

  /**
   * The portal's browser set-up: an origin; a gateway with its admin listener (which serves the
   * portal) on an ephemeral port, a service {@code backend} for the origin and the test's own
   * {@code sections} (YAML: its {@code portal:} and the {@code routes:} to {@code backend}); then
   * the browser, with screenshots in {@code target/portal-screenshots/}. The caller owns the result
   * and closes it (in its {@code @AfterAll}), which closes the browser, the gateway and the origin.
   */
  public static ConsoleBrowser portal(Path profile, String sections) throws Exception {
    return builder(profile)
        .shots("portal-screenshots")
        .start(
            origin ->
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: backend
                    targets: [ "%s" ]
                """
                        .formatted(origin.authority())
                    + sections);
  }

  /**
   * A config that gives every page of the console something to show, for tests that walk them all:
   * the admin listener with a read-write admin API token whose hash is {@code tokenHash}; a service
   * {@code backend} for the origin at {@code originAuthority} and a route {@code orders-api} on
   * {@code /orders}; an error-rate alert rule {@code orders-errors} on that route (severity {@code
   * critical}, label {@code team=orders}), to a log notifier, evaluated every 200ms and firing from
   * the first 5xx answer; an AI provider {@code local} at the same origin and a model {@code
   * small}.
   */
  public static String everyPage(String tokenHash, String originAuthority) {
    return scriptAdmin(tokenHash, null, originAuthority)
        + """
        routes:
          - name: orders-api
            paths: [ "/orders" ]
            strip-prefix: true
            service: backend
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
              severity: critical
              labels: { team: orders }
              notifiers: [ log ]
        ai:
          providers:
            - { name: local, kind: openai-compatible, base-url: "http://%s/v1" }
          models:
            - { name: small, targets: [ { provider: local } ] }
        """
            .formatted(originAuthority);
  }

  /**
   * The start of a console test's config: the admin listener on an ephemeral port with a read-write
   * admin API token {@code script} whose hash is {@code tokenHash}, its config store at {@code
   * store} unless null, and a service {@code backend} for the origin at {@code originAuthority}.
   * The test appends its {@code routes:} and other sections.
   */
  public static String scriptAdmin(String tokenHash, @Nullable Path store, String originAuthority) {
    return """
        admin:
          address: 127.0.0.1:0
        %s  tokens:
            - { name: script, hash: "%s", role: read-write }
        services:
          - name: backend
            targets: [ "%s" ]
        """
        .formatted(store == null ? "" : "  store: " + store + "\n", tokenHash, originAuthority);
  }

  /** How the gateway and the browser start. */
  public static final class Builder {
    private final Path profile;
    private String shots = "console-screenshots";
    private int height = 1000;
    private boolean firstRun;

    private Builder(Path profile) {
      this.profile = profile;
    }

    /** Screenshots go to {@code target/<dir>/}; {@code console-screenshots} by default. */
    public Builder shots(String dir) {
      this.shots = dir;
      return this;
    }

    /** A window {@code px} pixels tall; 1000 by default. */
    public Builder windowHeight(int px) {
      this.height = px;
      return this;
    }

    /**
     * No first admin account: the gateway offers its one-time setup link ({@link
     * Gateway#setupLink}) instead.
     */
    public Builder firstRun() {
      this.firstRun = true;
      return this;
    }

    /**
     * Starts an origin, then a gateway from {@code config} given that origin (YAML, completed as
     * {@link GatewayFixture#start(String)} completes it), then the browser.
     */
    public ConsoleBrowser start(Function<TestOrigin, String> config) throws Exception {
      TestOrigin origin = TestOrigin.start();
      return start(origin, config.apply(origin));
    }

    /** Starts a gateway from {@code config}, which needs no origin, then the browser. */
    public ConsoleBrowser start(String config) throws Exception {
      return start(null, config);
    }

    private ConsoleBrowser start(@Nullable TestOrigin origin, String config) throws Exception {
      GatewayFixture gateway = null;
      try {
        gateway =
            GatewayFixture.start(
                config, firstRun ? Map.of() : Map.of(Gateway.ADMIN_PASSWORD_ENV, PASSWORD));
        HeadlessChromium chrome = HeadlessChromium.start(profile, shots, height);
        return new ConsoleBrowser(origin, gateway, chrome);
      } catch (Throwable e) {
        try {
          Cleanup.close(gateway, origin);
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }
  }

  /** The origin the gateway's config was written around; fails when none was started. */
  public TestOrigin origin() {
    if (origin == null) {
      throw new IllegalStateException("started without an origin");
    }
    return origin;
  }

  public GatewayFixture gateway() {
    return gateway;
  }

  public HeadlessChromium chrome() {
    return chrome;
  }

  public WebDriver driver() {
    return chrome.driver();
  }

  public WebDriverWait waiting() {
    return chrome.waiting();
  }

  /** The web console's address; fails when the config leaves the admin listener or console off. */
  public String consoleUrl() {
    String url = gateway.gateway().consoleUrl();
    if (url == null) {
      throw new IllegalStateException("the console is off");
    }
    return url;
  }

  /** Opens the console, signs {@code name} in with {@link #PASSWORD} and waits for the overview. */
  public void signIn(String name) {
    chrome.signIn(consoleUrl(), name, PASSWORD);
  }

  /**
   * Signs {@code name} in with {@link #PASSWORD} on the portal's sign-in form, which the page must
   * show, and waits (up to 30 seconds) until the header names the account.
   */
  public void signInToPortal(String name) {
    chrome.visible(By.id("sign-in"));
    chrome.type(By.id("name"), name);
    chrome.type(By.id("password"), PASSWORD);
    driver().findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    new WebDriverWait(driver(), Duration.ofSeconds(30))
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), name));
  }

  /** Signs the portal's account out, then {@code name} in as {@link #signInToPortal} does. */
  public void signOutAndInToPortal(String name) {
    chrome.visible(By.id("sign-out")).click();
    signInToPortal(name);
  }

  @Override
  public void close() throws Exception {
    Cleanup.close(chrome, gateway, origin);
  }
}
