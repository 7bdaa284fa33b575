package io.portico.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Firefox client itself, against pages a local HTTP server serves: it types with real keys,
 * clicks with the mouse, reports script errors, Content-Security-Policy refusals and prompts, and
 * leaves no process and no profile behind. Skipped when {@code /usr/bin/firefox-esr} is not
 * installed (failed when {@code CI=true}).
 */
class FirefoxBidiTest {

  private static final Map<String, String> PAGES =
      Map.of(
          "/form",
          """
          <!doctype html><title>form</title>
          <input id="field"><button id="go">go</button><p id="out"></p>
          <script src="/form.js"></script>
          """,
          "/form.js",
          """
          document.getElementById('go').addEventListener('click', (e) => {
            if (e.isTrusted) document.getElementById('out').textContent =
                document.getElementById('field').value;
          });
          """,
          "/inline",
          """
          <!doctype html><title>inline</title><p id="p">page</p>
          <script>document.getElementById('p').textContent = 'inline ran';</script>
          """,
          "/throws",
          """
          <!doctype html><title>throws</title><script src="/throws.js"></script>
          """,
          "/throws.js",
          "undefinedFunctionOfThePage();",
          "/alert",
          """
          <!doctype html><title>alert</title><script src="/alert.js"></script>
          """,
          "/alert.js",
          "alert('hello');");

  private static HttpServer server;
  private static String base;

  @BeforeAll
  static void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body = PAGES.get(exchange.getRequestURI().getPath());
          byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
          boolean script = exchange.getRequestURI().getPath().endsWith(".js");
          exchange
              .getResponseHeaders()
              .add("Content-Type", script ? "text/javascript" : "text/html; charset=utf-8");
          exchange.getResponseHeaders().add("Content-Security-Policy", "script-src 'self'");
          exchange.sendResponseHeaders(
              body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @Test
  void typesWithKeysClicksWithTheMouseAndReportsErrorsRefusalsAndPrompts() throws Exception {
    ProcessHandle browser;
    Path profile;
    try (FirefoxBidi firefox = FirefoxBidi.start("firefox-screenshots", 800, 600)) {
      browser = firefox.process();
      profile = firefox.profile();
      assertThat(browser.isAlive()).isTrue();

      firefox.navigate(base + "/form");
      firefox.type("#field", "<b>é & ü</b>");
      firefox.click("#go");
      firefox.text("#out", "<b>é & ü</b>");
      assertThat(firefox.call("() => window.innerWidth")).isEqualTo(800.0);
      assertThat(firefox.errors()).isEmpty();
      assertThat(Files.size(firefox.screenshot("bidi-form"))).isGreaterThan(1000);

      // keys move the focus as they would for a person
      firefox.call("() => document.getElementById('field').focus()");
      firefox.keys(FirefoxBidi.TAB);
      assertThat(firefox.focused()).isEqualTo("go");

      firefox.navigate(base + "/inline");
      firefox.text("#p", "page");
      assertThat(firefox.textOf("#p")).isEqualTo("page");
      awaitError(firefox, "Content-Security-Policy");

      firefox.navigate(base + "/throws");
      awaitError(firefox, "undefinedFunctionOfThePage");

      firefox.navigate(base + "/alert");
      firefox.waitUntil("the page loaded", "() => document.readyState === 'complete'");
      Thread.sleep(300);
      assertThatThrownBy(firefox::assertNoPrompt).hasMessageContaining("hello");

      assertThatThrownBy(() -> firefox.call("() => { throw new Error('thrown here'); }"))
          .hasMessageContaining("thrown here");
    }
    assertThat(browser.isAlive()).isFalse();
    assertThat(profile).doesNotExist();
  }

  private static void awaitError(FirefoxBidi firefox, String text) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    java.util.List<String> seen = new java.util.ArrayList<>();
    while (seen.stream().noneMatch(e -> e.contains(text)) && System.nanoTime() < deadline) {
      seen.addAll(firefox.errors());
      Thread.sleep(50);
    }
    assertThat(seen).anyMatch(e -> e.contains(text));
  }
}
