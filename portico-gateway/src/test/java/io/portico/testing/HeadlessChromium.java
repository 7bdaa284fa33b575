package io.portico.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
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
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium through Debian's {@code chromedriver} (never a
 * downloaded driver), for the browser tests of the console and the portal. {@link #start} skips the
 * calling test class (a JUnit assumption) when {@code /usr/bin/chromium} is not installed.
 *
 * <p>Waits ignore stale elements, since the live pages redraw every few seconds. Screenshots go to
 * {@code target/<shots>/<name>.png}, taken from the top of the page. The browser's console log is
 * kept, so that a test can assert that no script failed and no Content-Security-Policy refusal
 * happened ({@link #errors}). The console's own steps (sign in, follow a navigation link, sign out)
 * are here too, since every console test takes them.
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
    return start(profile, shots, 1000);
  }

  /** As {@link #start(Path, String)}, with a window {@code height} pixels tall. */
  public static HeadlessChromium start(Path profile, String shots, int height) throws Exception {
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
        "--window-size=1280," + height,
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
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

  public void click(By by) {
    wait.until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  /**
   * Runs {@code script} (given a callback as its last argument) in the page and answers its result.
   */
  public Object async(String script) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script);
  }

  /** Opens the console at {@code consoleUrl}, signs in and waits for the overview. */
  public void signIn(String consoleUrl, String name, String password) {
    signIn(consoleUrl, name, password, "Overview");
  }

  /** Opens the console, signs in and waits for the first page's {@code heading}. */
  public void signIn(String consoleUrl, String name, String password, String heading) {
    driver.get(consoleUrl);
    type(By.id("name"), name);
    type(By.id("password"), password);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), heading));
  }

  /** Signs out (console or portal) and waits for the sign-in form. */
  public void signOut() {
    driver.findElement(By.id("sign-out")).click();
    visible(By.id("sign-in"));
  }

  /** Follows the console's navigation link to {@code page} and waits for its {@code heading}. */
  public void go(String page, String heading) {
    driver.findElement(By.cssSelector("a[data-page=" + page + "]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), heading));
  }

  /**
   * The browser console's errors since the last call (reading the log empties it): failed scripts,
   * failed loads, and Content-Security-Policy refusals at any level.
   */
  public List<String> errors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(
            e ->
                e.getLevel().intValue() >= Level.SEVERE.intValue()
                    || e.getMessage().contains("Content Security Policy"))
        .map(LogEntry::getMessage)
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
