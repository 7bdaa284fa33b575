package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes to one object as RFC 9110 13.1 has them: {@code If-None-Match: *} creates and
 * never overwrites (a deploy script's "create unless present" must not replace a colleague's
 * route), {@code If-None-Match} with the current ETag refuses, and {@code If-Match} compares
 * strongly, so a weak tag wrapping the current ETag does not pass. Each refusal is a 412 and
 * changes nothing.
 */
class AdminConditionalWriteTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITER = "writer-token-1";
  private static final String ROUTE =
      "{\"name\":\"orders\",\"paths\":[\"%s\"],\"service\":\"backend\"}";

  @TempDir Path storeDir;
  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              tokens:
                - { name: ci, hash: "%s", role: read-write }
            services:
              - name: backend
                targets: [ "%s" ]
            """
                .formatted(storeDir, KeyHash.of(WRITER), env.origin().authority()));
  }

  private HttpResponse<String> call(String method, String path, String body, String... headers)
      throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + WRITER;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return gw.adminCall(method, path, body, all);
  }

  private String paths() throws Exception {
    return JSON.readTree(call("GET", "/routes/orders", null).body()).get("paths").toString();
  }

  @Test
  void ifNoneMatchStarCreatesOnceAndNeverOverwrites() throws Exception {
    HttpResponse<String> created =
        call("PUT", "/routes/orders", ROUTE.formatted("/first"), "If-None-Match", "*");
    assertThat(created.statusCode()).isEqualTo(200);

    HttpResponse<String> again =
        call("PUT", "/routes/orders", ROUTE.formatted("/second"), "If-None-Match", "*");
    assertThat(again.statusCode()).isEqualTo(412);
    assertThat(again.body()).contains("admin-precondition-failed");
    assertThat(paths()).isEqualTo("[\"/first\"]");
  }

  @Test
  void ifNoneMatchWithTheCurrentEtagRefusesAndWithAnotherApplies() throws Exception {
    call("PUT", "/routes/orders", ROUTE.formatted("/first"));
    String etag = call("GET", "/routes/orders", null).headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> same =
        call("PUT", "/routes/orders", ROUTE.formatted("/second"), "If-None-Match", etag);
    assertThat(same.statusCode()).isEqualTo(412);
    assertThat(paths()).isEqualTo("[\"/first\"]");

    HttpResponse<String> other =
        call("PUT", "/routes/orders", ROUTE.formatted("/third"), "If-None-Match", "\"0000\"");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(paths()).isEqualTo("[\"/third\"]");
  }

  @Test
  void ifMatchWithAWeakTagDoesNotMatchTheStrongOne() throws Exception {
    call("PUT", "/routes/orders", ROUTE.formatted("/first"));
    String etag = call("GET", "/routes/orders", null).headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> weak =
        call("PUT", "/routes/orders", ROUTE.formatted("/second"), "If-Match", "W/" + etag);
    assertThat(weak.statusCode()).isEqualTo(412);
    HttpResponse<String> deleteWeak =
        call("DELETE", "/routes/orders", null, "If-Match", "W/" + etag);
    assertThat(deleteWeak.statusCode()).isEqualTo(412);
    assertThat(paths()).isEqualTo("[\"/first\"]");

    HttpResponse<String> strong =
        call("PUT", "/routes/orders", ROUTE.formatted("/second"), "If-Match", etag);
    assertThat(strong.statusCode()).isEqualTo(200);
    assertThat(paths()).isEqualTo("[\"/second\"]");
  }

  @Test
  void theOpenApiDocumentNamesIfNoneMatchOnExactlyTheWritesThatHonourIt() throws Exception {
    JsonNode doc = JSON.readTree(OpenApi.document());
    // one object of each kind, made from the document's own examples
    call(
        "PUT",
        "/ai-providers/local",
        "{\"kind\":\"openai-compatible\",\"base-url\":\"http://127.0.0.1:9\"}");
    Set<String> documented = new TreeSet<>();
    Set<String> honoured = new TreeSet<>();
    for (String kind :
        List.of("services", "routes", "consumers", "plugins", "ai-providers", "ai-models")) {
      JsonNode example =
          doc.at("/paths/~1" + kind + "/post/requestBody/content/application~1json/example");
      HttpResponse<String> made = call("POST", "/" + kind, example.toString());
      assertThat(made.statusCode()).as(kind + ": " + made.body()).isEqualTo(200);
      String name = example.get("name").asText();
      for (String path : List.of("/" + kind, "/" + kind + "/{name}")) {
        for (Map.Entry<String, JsonNode> op : doc.path("paths").path(path).properties()) {
          String method = op.getKey().toUpperCase(Locale.ROOT);
          if (method.equals("GET") || method.equals("PARAMETERS")) {
            continue;
          }
          String operation = method + " " + path;
          for (JsonNode parameter : op.getValue().path("parameters")) {
            if (parameter.path("name").asText().equals("If-None-Match")) {
              documented.add(operation);
            }
          }
          String concrete = path.replace("{name}", name);
          String body = method.equals("DELETE") ? null : example.toString();
          // the object exists: a write that honours If-None-Match: * refuses with 412
          if (call(method, concrete, body, "If-None-Match", "*").statusCode() == 412) {
            honoured.add(operation);
          }
        }
      }
    }
    assertThat(honoured).isNotEmpty();
    assertThat(documented).isEqualTo(honoured);
  }
}
