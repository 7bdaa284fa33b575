package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver (never a downloaded one), against a running gateway with a real origin. Screenshots
 * of each page go to {@code target/console-screenshots/}. Skipped when {@code /usr/bin/chromium} is
 * not installed.
 */
class ConsoleBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final String PASSWORD = "correct horse battery";
  private static final String XSS = "<img src=x onerror=alert(1)>";

  @TempDir static Path profile;
  private static TestOrigin origin;
  private static GatewayFixture gw;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM), "Debian's chromium is not installed at " + CHROMIUM);
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
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
            """
                .formatted(origin.authority()),
            Map.of());
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
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    // The overview redraws its table every few seconds.
    wait.ignoring(StaleElementReferenceException.class);
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private static void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private static void type(By by, String text) {
    WebElement e = visible(by);
    e.clear();
    e.sendKeys(text);
  }

  private static void assertNoAlert() {
    try {
      driver.switchTo().alert();
      throw new AssertionError("a script ran and opened an alert");
    } catch (NoAlertPresentException expected) {
      // nothing ran
    }
  }

  @Test
  void firstRunSetupSignInLiveOverviewAndAccountsShowValuesAsText() throws Exception {
    String link = gw.gateway().setupLink();
    assertThat(link).isNotNull();

    // First run: the one-time link opens the setup page; the token leaves the address bar.
    driver.get(link);
    visible(By.id("setup"));
    assertThat(driver.getCurrentUrl()).doesNotContain("setup=");
    type(By.id("name"), "root");
    type(By.id("password"), PASSWORD);
    screenshot("setup");
    driver.findElement(By.cssSelector("#setup button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
    assertThat(gw.gateway().setupLink()).isNull();

    // A request through the gateway shows on the overview within seconds.
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=route-row]")).stream()
                .anyMatch(
                    row ->
                        row.getText().contains("orders-api")
                            && !row.findElement(By.cssSelector("[data-testid=route-requests]"))
                                .getText()
                                .equals("0")));
    screenshot("overview");

    // Accounts: a name made of markup is shown as its characters and runs nothing.
    driver.get(gw.gateway().consoleUrl() + "#/accounts");
    visible(By.id("create-account"));
    type(By.id("new-name"), XSS);
    new Select(driver.findElement(By.id("new-role"))).selectByValue("viewer");
    type(By.id("new-password"), PASSWORD);
    driver.findElement(By.cssSelector("#create-account button[type=submit]")).click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=account-name]")).stream()
                .anyMatch(e -> e.getText().equals(XSS)));
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    assertNoAlert();
    screenshot("accounts");

    // My account: an API token shown once.
    driver.get(gw.gateway().consoleUrl() + "#/me");
    type(By.id("token-name"), "deploy-script");
    driver.findElement(By.cssSelector("#create-token button[type=submit]")).click();
    assertThat(visible(By.cssSelector("[data-testid=new-token]")).getText()).startsWith("ptk_");
    screenshot("my-account");

    // Sign out, then sign in as the markup-named viewer: its name shows as text in the header.
    driver.findElement(By.id("sign-out")).click();
    visible(By.id("sign-in"));
    type(By.id("name"), XSS);
    type(By.id("password"), "wrong password!");
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("sign-in-message"), "The account name or password is wrong."));
    screenshot("sign-in");
    type(By.id("password"), PASSWORD);
    driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
    assertThat(driver.findElement(By.id("who-name")).getText()).isEqualTo(XSS + " (viewer)");
    List<WebElement> accountsLink = driver.findElements(By.cssSelector("a[data-page=accounts]"));
    assertThat(accountsLink).allMatch(a -> !a.isDisplayed());
    assertThat(driver.findElements(By.tagName("img"))).isEmpty();
    assertNoAlert();
  }
}
