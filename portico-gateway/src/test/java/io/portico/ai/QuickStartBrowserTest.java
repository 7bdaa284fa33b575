package io.portico.ai;

import static io.portico.testing.ConsoleBrowser.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The README's quick start as a user lives it, in a real browser: a fresh gateway from the shipped
 * {@code portico.yaml} (no {@code ai} section; only its listener and admin ports changed), the
 * one-time setup link of the banner, the AI page where a provider (a fake OpenAI-compatible one on
 * a real socket) is added with its key and a model routed to it, then an OpenAI chat call through
 * the gateway with the shipped demo consumer key, answered by the provider with the key Portico
 * holds. The key is never shown again: the page and the admin API show only its masked suffix.
 */
class QuickStartBrowserTest {

  private static final String SECRET = "sk-quick-start-9z8y";
  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path profile;
  private static FakeProvider provider;
  private static ConsoleBrowser ui;
  private static GatewayFixture gw;
  private static HeadlessChromium chrome;
  private static WebDriver driver;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    provider =
        new FakeProvider(
            (r, out) ->
                out.json(
                    200,
                    "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,"
                        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":"
                        + "{\"role\":\"assistant\",\"content\":\"Hello from the provider\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                        + "\"completion_tokens\":4,\"total_tokens\":9}}"));
    String shipped =
        Files.readString(Path.of("").toAbsolutePath().getParent().resolve("portico.yaml"));
    assertThat(shipped).doesNotContain("\nai:");
    ui =
        ConsoleBrowser.builder(profile)
            .firstRun()
            .start(
                shipped
                    .replace("address: 127.0.0.1:8080", "address: 127.0.0.1:0")
                    .replace("address: 127.0.0.1:9901", "address: 127.0.0.1:0")
                    .replace("access-log: stdout", "access-log: off"));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = ui.waiting();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui, provider);
  }

  private static HttpResponse<String> chat(String key) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri("/v1/chat/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(CHAT)));
  }

  @Test
  void signsInAddsAnOpenAiKeyAndAModelThenCallsThroughTheGateway() throws Exception {
    // Before any provider: the AI route answers OpenAI's model_not_found, not an error page.
    HttpResponse<String> before = chat("portico-demo-key");
    assertThat(before.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(before.body()).at("/error/code").asText())
        .isEqualTo("model_not_found");

    // The banner's one-time link: choose the admin account, signed in on the overview.
    String link = gw.gateway().setupLink();
    assertThat(link).isNotNull().startsWith(gw.gateway().consoleUrl());
    driver.get(link);
    chrome.type(By.id("name"), "admin");
    chrome.type(By.id("password"), PASSWORD);
    driver.findElement(By.cssSelector("#setup button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));

    // The AI page: the provider with its key, then the model clients name.
    chrome.go("ai", "AI");
    chrome.type(By.id("provider-name"), "openai");
    new Select(driver.findElement(By.id("provider-kind"))).selectByValue("openai-compatible");
    chrome.type(By.id("provider-url"), provider.baseUrl("/v1"));
    chrome.type(By.id("provider-key-input"), SECRET);
    driver.findElement(By.cssSelector("#provider-form button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.id("ai-message"), "Provider openai was saved."));
    chrome.type(By.id("model-name"), "gpt-4o-mini");
    chrome.type(By.id("model-targets"), "openai");
    driver.findElement(By.cssSelector("#model-form button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.id("ai-message"), "Model gpt-4o-mini was saved."));
    wait.until(
        ExpectedConditions.textToBe(By.cssSelector("[data-testid=provider-key]"), "\u20269z8y"));
    assertThat(driver.getPageSource()).doesNotContain(SECRET);
    Object read =
        chrome.async(
            "const done = arguments[arguments.length - 1];"
                + "fetch('/ai-providers/openai', {credentials: 'same-origin'})"
                + ".then((r) => r.text()).then(done, (e) => done(String(e)));");
    assertThat(String.valueOf(read)).contains("\u20269z8y").doesNotContain(SECRET);
    chrome.screenshot("quick-start-ai");

    // The call of the README's step 4: the consumer's key in, the provider's key out.
    HttpResponse<String> answer = chat("portico-demo-key");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(answer.body()).at("/choices/0/message/content").asText())
        .isEqualTo("Hello from the provider");
    assertThat(provider.last().header("Authorization")).isEqualTo("Bearer " + SECRET);
    assertThat(provider.last().body()).contains("Hello");
    assertThat(chat("not-a-consumer-key").statusCode()).isEqualTo(401);

    // Reloaded, the page still shows the key only masked.
    driver.navigate().refresh();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "AI"));
    wait.until(
        ExpectedConditions.textToBe(By.cssSelector("[data-testid=provider-key]"), "\u20269z8y"));
    assertThat(driver.getPageSource()).doesNotContain(SECRET);
    assertThat(chrome.errors()).noneMatch(e -> e.contains("Content Security Policy"));
  }
}
