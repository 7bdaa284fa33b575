package io.portico.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium through Debian's {@code chromedriver} (never a
 * downloaded driver), for the browser tests of the console and the portal. {@link #start} skips the
 * calling test class (a JUnit assumption) when {@code /usr/bin/chromium} is not installed.
 *
 * <p>Waits ignore stale elements, since the live pages redraw every few seconds. Screenshots go to
 * {@code target/<shots>/<name>.png}, taken from the top of the page.
 */
public final class HeadlessChromium implements AutoCloseable {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final WebDriver driver;
  private final WebDriverWait wait;
  private final Path shots;

  private HeadlessChromium(WebDriver driver, Path shots) {
    this.driver = driver;
    this.shots = shots;
    this.wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.ignoring(StaleElementReferenceException.class);
  }

  /**
   * A browser with its profile in {@code profile} (a temporary directory of the test), saving
   * screenshots under {@code target/<shots>/}.
   */
  public static HeadlessChromium start(Path profile, String shots) throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM), "Debian's chromium is not installed at " + CHROMIUM);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    Path dir = Path.of("target", shots);
    Files.createDirectories(dir);
    return new HeadlessChromium(new ChromeDriver(service, options), dir);
  }

  public WebDriver driver() {
    return driver;
  }

  public WebDriverWait waiting() {
    return wait;
  }

  /** Saves the page, scrolled to its top, as {@code <name>.png}. */
  public void screenshot(String name) throws Exception {
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  public WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Clears the field and types {@code text} into it. */
  public void type(By by, String text) {
    WebElement e = visible(by);
    e.clear();
    e.sendKeys(text);
  }

  /** Fails when a script of the page opened an alert (it ran injected markup). */
  public void assertNoAlert() {
    try {
      driver.switchTo().alert();
      throw new AssertionError("a script ran and opened an alert");
    } catch (NoAlertPresentException expected) {
      // nothing ran
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
