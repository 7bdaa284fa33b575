package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.PortalBrowserFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Markup an operator stores in a published API's OpenAPI document stays inert in the portal's
 * viewer (Swagger UI, Debian's headless Chromium): the document's descriptions are markdown, and
 * the payloads there ({@code <script>}, an {@code onerror} image, an {@code onload} SVG, an iframe,
 * a {@code javascript:} link in markdown and in HTML, a meta refresh, a form to another origin) and
 * the {@code javascript:} URLs of its links ({@code termsOfService}, contact, licence, external
 * docs) must never run: {@code window.__xss} stays unset, no element of the viewer keeps an event
 * handler attribute, a {@code javascript:} link, a script, an iframe, a meta or a form, the page
 * stays on the portal, and the browser logs no Content-Security-Policy refusal (which would mean
 * the markup was parsed into something that tried to run, whether or not the policy then stopped
 * it). The API's title and description in the portal's own page stay text. Skipped when {@code
 * /usr/bin/chromium} is not installed.
 */
class PortalOpenApiMarkupBrowserTest {

  private static final String MARKDOWN =
      "Intro <img src=x onerror=window.__xss=1> <script>window.__xss=2</script>"
          + " [markdown link](javascript:window.__xss=3)"
          + " <a href=\\\"javascript:window.__xss=4\\\" id=\\\"html-link\\\">html link</a>"
          + " <svg onload=window.__xss=5><circle r=\\\"1\\\"/></svg>"
          + " <iframe src=\\\"javascript:window.__xss=6\\\"></iframe>"
          + " <form action=\\\"https://elsewhere.invalid/\\\"><button>go</button></form>"
          + " <meta http-equiv=\\\"refresh\\\" content=\\\"0;url=https://elsewhere.invalid/\\\">"
          + " <details open ontoggle=window.__xss=7>d</details>";

  private static final String JS = "javascript:window.__xss=8";

  private static final String DOCUMENT =
      """
      {"openapi":"3.0.3",
       "info":{"title":"Greetings <script>window.__xss=9</script>","version":"1.0",
         "description":"%1$s",
         "termsOfService":"%2$s",
         "contact":{"name":"Team","url":"%2$s","email":"a@b.c\\"><img src=x onerror=window.__xss=10>"},
         "license":{"name":"MIT","url":"%2$s"}},
       "externalDocs":{"description":"%1$s","url":"%2$s"},
       "tags":[{"name":"greet","description":"%1$s","externalDocs":{"url":"%2$s"}}],
       "paths":{"/hello":{"get":{"operationId":"sayHello","tags":["greet"],
         "summary":"Says hello <img src=x onerror=window.__xss=11>",
         "description":"%1$s",
         "parameters":[{"name":"who","in":"query","description":"%1$s",
           "schema":{"type":"string","example":"<img src=x onerror=window.__xss=12>"}}],
         "responses":{"200":{"description":"%1$s",
           "content":{"application/json":{"schema":{"$ref":"#/components/schemas/Greeting"}}}}}}}},
       "components":{"schemas":{"Greeting":{"type":"object","description":"%1$s",
         "properties":{"text":{"type":"string","description":"%1$s",
           "example":"<svg onload=window.__xss=13>"}}}}}}
      """
          .formatted(MARKDOWN, JS);

  @RegisterExtension
  static final PortalBrowserFixture browser =
      new PortalBrowserFixture(
              """
              portal:
                sign-up: false
              routes:
                - name: hello
                  paths: [ "/hello" ]
                  service: backend
              """)
          .waitingUpTo(Duration.ofSeconds(30));

  /** What the viewer's DOM holds that markup would have made, by kind; empty when inert. */
  private static final String FOUND =
      """
      const root = document.getElementById('openapi-viewer');
      const out = {};
      const add = (k, v) => { (out[k] = out[k] || []).push(v); };
      for (const e of document.querySelectorAll('*')) {
        for (const a of e.attributes) {
          if (a.name.toLowerCase().startsWith('on')) add('handler', e.tagName + ' ' + a.name);
          if (/^\\s*javascript:/i.test(a.value)) add('javascript', e.tagName + ' ' + a.name);
        }
      }
      for (const sel of ['script', 'iframe', 'meta', 'form', 'object', 'embed']) {
        for (const e of root.querySelectorAll(sel)) add('element', sel);
      }
      if (window.__xss !== undefined) add('ran', String(window.__xss));
      return out;
      """;

  @Test
  void markupInEveryTextFieldOfAnOpenApiDocumentNeverRunsInTheViewer() throws Exception {
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    ok(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            "{\"title\":\"<img src=x onerror=window.__xss=14>\",\"description\":\""
                + MARKDOWN
                + "\",\"openapi_document\":"
                + DOCUMENT
                + "}"),
        200);
    String portal = browser.gateway().gateway().portalUrl();
    browser.driver().get(portal);
    browser.ui().signInToPortal("admin");
    browser.driver().get(portal + "#/api/hello");
    browser.chrome().visible(By.cssSelector(".opblock-summary-path[data-path='/hello']")).click();
    browser.chrome().visible(By.cssSelector(".opblock-description-wrapper"));
    // every model and response open, so that their descriptions and examples are rendered too
    browser.chrome().visible(By.cssSelector(".models-control")).click();
    ((JavascriptExecutor) browser.driver())
        .executeScript("document.querySelectorAll('.model-box-control').forEach(b => b.click())");
    browser.chrome().visible(By.cssSelector(".model-container .property-row"));
    browser.chrome().screenshot("openapi-markup");

    assertThat(browser.driver().findElement(By.tagName("h1")).getText())
        .isEqualTo("<img src=x onerror=window.__xss=14>");
    assertThat(browser.driver().findElement(By.id("openapi-viewer")).getText())
        .contains("markdown link")
        .contains("html link");
    @SuppressWarnings("unchecked")
    Map<String, List<String>> found =
        (Map<String, List<String>>) ((JavascriptExecutor) browser.driver()).executeScript(FOUND);
    assertThat(found).as("markup made into live elements in the viewer").isEmpty();
    assertThat(browser.driver().getCurrentUrl()).startsWith(portal);
    assertThat(browser.driver().manage().logs().get(LogType.BROWSER).getAll())
        .extracting(LogEntry::getMessage)
        .noneMatch(m -> m.contains("Content Security Policy") || m.contains("elsewhere.invalid"));
    browser.chrome().assertNoAlert();
  }
}
