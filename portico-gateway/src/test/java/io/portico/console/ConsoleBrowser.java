package io.portico.console;

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
 * A headless Chromium (Debian's, through Debian's chromedriver, so nothing is downloaded) driving
 * the console, with the steps the console's browser tests share: sign in, open a page, type, wait,
 * take a screenshot into {@code target/console-screenshots/}. {@link #open} skips the test when
 * {@code /usr/bin/chromium} is not installed.
 */
final class ConsoleBrowser implements AutoCloseable {

  static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final WebDriver driver;
  final WebDriverWait wait;

  private ConsoleBrowser(WebDriver driver) {
    this.driver = driver;
    this.wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.ignoring(StaleElementReferenceException.class);
  }

  /** A browser with its profile in {@code profile}. */
  static ConsoleBrowser open(Path profile) throws Exception {
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
        "--window-size=1280,1000",
        "--user-data-dir=" + profile.toAbsolutePath());
    Files.createDirectories(SHOTS);
    return new ConsoleBrowser(new ChromeDriver(service, options));
  }

  void screenshot(String name) throws Exception {
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  void type(By by, String text) {
    WebElement e = visible(by);
    e.clear();
    e.sendKeys(text);
  }

  void click(By by) {
    wait.until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  void assertNoAlert() {
    try {
      driver.switchTo().alert();
      throw new AssertionError("a script ran and opened an alert");
    } catch (NoAlertPresentException expected) {
      // nothing ran
    }
  }

  void signIn(String consoleUrl, String name, String password) {
    driver.get(consoleUrl);
    type(By.id("name"), name);
    type(By.id("password"), password);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
  }

  void signOut() {
    driver.findElement(By.id("sign-out")).click();
    visible(By.id("sign-in"));
  }

  void go(String page, String heading) {
    driver.findElement(By.cssSelector("a[data-page=" + page + "]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), heading));
  }

  /**
   * Runs {@code script} (given a callback as its last argument) in the page and answers its result.
   */
  Object async(String script) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
