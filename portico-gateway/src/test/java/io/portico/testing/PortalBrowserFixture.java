package io.portico.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The set-up every portal browser test shares, as a JUnit extension: before the class's tests, a
 * {@link ConsoleBrowser#portal} with the class's own {@code portal:} and {@code routes:} sections
 * and a browser profile in a fresh temporary directory; after them, the browser, the gateway and
 * the origin closed and the profile deleted. A class registers one:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PortalBrowserFixture portal =
 *     new PortalBrowserFixture("""
 *         portal:
 *           sign-up: false
 *         routes: ...
 *         """);
 * }</pre>
 *
 * <p>and reaches the gateway, the browser and its driver through it. The class's tests share them,
 * as they would share static fields set in a {@code @BeforeAll}.
 */
public final class PortalBrowserFixture implements BeforeAllCallback, AfterAllCallback {

  private final String sections;
  private Duration patience;
  private Path profile;
  private ConsoleBrowser ui;
  private WebDriverWait waiting;

  /** A fixture for a gateway with {@code sections} (YAML) beside the portal tests' defaults. */
  public PortalBrowserFixture(String sections) {
    this.sections = sections;
  }

  /** Makes {@link #waiting} wait up to {@code patience} instead of the browser's 20 seconds. */
  public PortalBrowserFixture waitingUpTo(Duration patience) {
    this.patience = patience;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    profile = Files.createTempDirectory("portico-portal-browser");
    ui = ConsoleBrowser.portal(profile, sections);
    waiting = patience == null ? ui.waiting() : new WebDriverWait(ui.driver(), patience);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      Cleanup.close(ui);
    } finally {
      ui = null;
      delete(profile);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The browser and its gateway, with the sign-in helpers. */
  public ConsoleBrowser ui() {
    if (ui == null) {
      throw new IllegalStateException("the fixture starts before the class's tests");
    }
    return ui;
  }

  public GatewayFixture gateway() {
    return ui().gateway();
  }

  public HeadlessChromium chrome() {
    return ui().chrome();
  }

  public WebDriver driver() {
    return ui().driver();
  }

  /**
   * The statuses of {@code n} calls to {@code path} through the gateway with {@code key} in the
   * {@code apikey} header, one after the other.
   */
  public List<Integer> statuses(String path, String key, int n) throws Exception {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seen.add(
          gateway()
              .send(HttpRequest.newBuilder(gateway().uri(path)).header("apikey", key).GET())
              .statusCode());
    }
    return seen;
  }

  /**
   * Fails when a name written as markup ({@code <img src=x onerror=alert(1)>}) ran a script (an
   * alert is open) or was parsed into an element (the page holds an {@code img} whose {@code src}
   * is {@code x}).
   */
  public void assertNoMarkupRan() {
    chrome().assertNoAlert();
    assertThat(
            ((Number)
                    ((JavascriptExecutor) driver())
                        .executeScript("return document.querySelectorAll('img[src=\"x\"]').length"))
                .intValue())
        .isZero();
  }

  /** The class's waits: up to 20 seconds, the browser's, unless {@link #waitingUpTo} says. */
  public WebDriverWait waiting() {
    ui();
    return waiting;
  }
}
