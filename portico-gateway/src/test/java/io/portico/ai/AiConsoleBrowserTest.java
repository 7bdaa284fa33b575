package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.ConsoleBrowser;
import io.portico.testing.GatewayFixture;
import io.portico.testing.HeadlessChromium;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The console's AI page in a real browser (Debian's headless Chromium through Debian's
 * chromedriver), against a running gateway and a fake OpenAI-compatible provider on a real socket:
 * a provider key added in the page shows only as its masked suffix (in the page, and through the
 * API to a viewer and an admin, and in {@code GET /config}); a model routed to it, a prompt API
 * tried as a draft (no route yet), published and tried again in the page, then called through the
 * gateway; the usage table shows the calls' tokens. Screenshots go to {@code
 * target/console-screenshots/}. Skipped when {@code /usr/bin/chromium} is not installed.
 */
class AiConsoleBrowserTest {

  private static final String WRITER = "ai-console-writer";
  private static final String READER = "ai-console-reader";
  private static final String SECRET = "sk-console-key-5678qrst";
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
                    "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"Guten Morgen\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,"
                        + "\"total_tokens\":14}}"));
    ui =
        ConsoleBrowser.builder(profile)
            .windowHeight(2000)
            .start(
                """
                admin:
                  address: 127.0.0.1:0
                  tokens:
                    - { name: script, hash: "%s", role: read-write }
                    - { name: reader, hash: "%s", role: read-only }
                ai:
                  providers:
                    - { name: local, kind: openai-compatible, base-url: "%s" }
                  models:
                    - { name: small, targets: [ { provider: local } ] }
                """
                    .formatted(KeyHash.of(WRITER), KeyHash.of(READER), provider.baseUrl("/v1")));
    gw = ui.gateway();
    chrome = ui.chrome();
    driver = ui.driver();
    wait = ui.waiting();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(ui, provider);
  }

  private static void type(String id, String text) {
    chrome.type(By.id(id), text);
  }

  private static void submit(String form) {
    driver.findElement(By.cssSelector("#" + form + " button[type=submit]")).click();
  }

  private static void messageIs(String text) {
    wait.until(ExpectedConditions.textToBe(By.id("ai-message"), text));
  }

  private static HttpResponse<String> adminGet(String path, String token) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.adminUri(path)).header("Authorization", "Bearer " + token));
  }

  @Test
  void addsAKeySeenOnlyMaskedPublishesAPromptApiCallsItAndShowsItsTokens() throws Exception {
    ui.signIn("admin");
    chrome.go("ai", "AI");

    // A provider with a key: the page shows only the masked suffix.
    type("provider-name", "paid");
    new Select(driver.findElement(By.id("provider-kind"))).selectByValue("openai-compatible");
    type("provider-url", provider.baseUrl("/v1"));
    type("provider-key-input", SECRET);
    submit("provider-form");
    messageIs("Provider paid was saved.");
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=provider-row]")).stream()
                .anyMatch(
                    row ->
                        row.getText().startsWith("paid")
                            && row.findElement(By.cssSelector("[data-testid=provider-key]"))
                                .getText()
                                .equals("\u2026qrst")));
    assertThat(driver.getPageSource()).doesNotContain(SECRET);
    for (String token : new String[] {READER, WRITER}) {
      HttpResponse<String> one = adminGet("/ai-providers/paid", token);
      assertThat(JSON.readTree(one.body()).path("api-key").asText()).isEqualTo("\u2026qrst");
      assertThat(adminGet("/config", token).body())
          .contains("\"api-key\":\"\u2026qrst\"")
          .doesNotContain(SECRET);
    }

    // The model's routing: the new provider first, the file's provider as its fallback.
    type("model-name", "small");
    type("model-targets", "paid, local");
    submit("model-form");
    messageIs("Model small was saved.");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("[data-testid=model-targets]"), "paid, local"));

    // Saving the provider again without typing a key keeps the stored key.
    type("provider-name", "paid");
    new Select(driver.findElement(By.id("provider-kind"))).selectByValue("openai-compatible");
    type("provider-url", provider.baseUrl("/v1"));
    submit("provider-form");
    messageIs("Provider paid was saved.");

    // A prompt API: published, tried in the page, called through the gateway.
    type("prompt-route", "greet");
    type("prompt-path", "/api/greet");
    new Select(driver.findElement(By.id("prompt-model"))).selectByValue("small");
    type("prompt-variables", "name");
    type("prompt-system", "Greet in German.");
    type("prompt-user", "Greet {{name}}.");
    type("prompt-values", "name=Ada");
    // Tried as a draft first: the model answers, and no route exists yet.
    driver.findElement(By.id("prompt-try")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("prompt-answer"), "Guten Morgen"));
    assertThat(provider.last().header("Authorization")).isEqualTo("Bearer " + SECRET);
    assertThat(provider.last().body()).contains("Greet Ada.").contains("Greet in German.");
    assertThat(adminGet("/routes/greet", READER).statusCode()).isEqualTo(404);
    type("prompt-values", "name=Alan");
    submit("prompt-form");
    messageIs("Route greet was published at /api/greet.");
    driver.findElement(By.id("prompt-try-route")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("prompt-answer"), "Guten Morgen"));
    assertThat(provider.last().body()).contains("Greet Alan.");

    HttpResponse<String> called =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/api/greet"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Grace\"}")));
    assertThat(called.statusCode()).isEqualTo(200);
    assertThat(called.body()).isEqualTo("Guten Morgen");
    assertThat(provider.last().body()).contains("Greet Grace.");

    // The usage table: two calls of model small through paid, 22 prompt and 6 completion tokens.
    wait.until(
        d ->
            d.findElements(By.cssSelector("[data-testid=usage-row]")).stream()
                .anyMatch(
                    row ->
                        row.findElement(By.cssSelector("[data-testid=usage-model]"))
                                .getText()
                                .equals("small")
                            && row.findElement(By.cssSelector("[data-testid=usage-total]"))
                                .getText()
                                .equals("28")));
    JsonNode usage = JSON.readTree(adminGet("/ai/usage", READER).body());
    assertThat(usage.at("/usage/0/provider").asText()).isEqualTo("paid");
    assertThat(usage.at("/usage/0/prompt_tokens").asLong()).isEqualTo(22);
    assertThat(driver.getPageSource()).doesNotContain(SECRET);
    chrome.screenshot("ai");
  }
}
