package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.Cleanup;
import io.portico.testing.PortalBrowserFixture;
import io.portico.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The viewer never fetches an OpenAPI document's external references (Debian's headless Chromium).
 * Publishing a document that has one is refused with 422; a document kept before that check, with a
 * response {@code $ref} to another origin and a schema {@code $ref} to a relative file, renders in
 * the viewer with a note at each gap, while that other origin, a real server, receives nothing.
 * Skipped when {@code /usr/bin/chromium} is not installed.
 */
class PortalViewerExternalRefsBrowserTest {

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

  private static TestOrigin elsewhere;

  @BeforeAll
  static void start() throws Exception {
    elsewhere = TestOrigin.start();
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(elsewhere);
  }

  private String document(String response, String schemaRef) {
    return """
        {"openapi":"3.0.3","info":{"title":"Greetings","version":"1.0"},
         "paths":{"/hello":{"get":{"operationId":"sayHello","summary":"Says hello",
           "responses":{"200":%s,
             "400":{"description":"a bad request","content":{"application/json":
               {"schema":{"$ref":"%s"}}}}}}}}}
        """
        .formatted(response, schemaRef);
  }

  @Test
  void showsANoteWhereAKeptDocumentRefersElsewhereAndFetchesNothing() throws Exception {
    String outside = "http://" + elsewhere.authority() + "/hello";
    PortalClient client = new PortalClient(browser.gateway()::adminUri);
    PortalClient.Session admin = client.signIn("admin");
    String external = document("{\"$ref\":\"" + outside + "\"}", "common.json#/Error");
    problem(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            "{\"title\":\"Greetings\",\"openapi_document\":" + external + "}"),
        422,
        "portal-openapi-external-ref");
    ok(
        client.as(
            admin,
            "PUT",
            "/portal/api/apis/hello",
            "{\"title\":\"Greetings\",\"openapi_document\":"
                + document("{\"description\":\"a greeting\"}", "#/components/x")
                + "}"),
        200);
    // the document as an older version of the portal kept it, references and all
    Path kept;
    try (Stream<Path> files = Files.walk(browser.gateway().configFile().getParent())) {
      List<Path> found =
          files.filter(f -> f.getFileName().toString().startsWith("portal-openapi-")).toList();
      assertThat(found).hasSize(1);
      kept = found.get(0);
    }
    Files.writeString(kept, external);
    int before = elsewhere.requestCount();

    String portal = browser.gateway().gateway().portalUrl();
    browser.driver().get(portal);
    browser.ui().signInToPortal("admin");
    browser.driver().get(portal + "#/api/hello");
    browser.chrome().visible(By.cssSelector(".opblock-summary-path[data-path='/hello']")).click();
    WebElement viewer = browser.driver().findElement(By.id("openapi-viewer"));
    browser
        .waiting()
        .until(
            ExpectedConditions.textToBePresentInElement(
                viewer,
                "Not shown: this part of the document is an external reference (" + outside));
    ((org.openqa.selenium.JavascriptExecutor) browser.driver())
        .executeScript(
            "arguments[0].scrollIntoView({block: 'center'})",
            browser.driver().findElement(By.cssSelector(".responses-wrapper")));
    browser.chrome().screenshot("viewer-external-ref");
    assertThat(viewer.getText())
        .contains("a bad request")
        .doesNotContain("Resolver error")
        .doesNotContain("Could not resolve reference");
    assertThat(elsewhere.requestCount()).isEqualTo(before);
  }
}
