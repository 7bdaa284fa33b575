package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RequestStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's objects over real sockets: a real admin listener, a real proxy and a real origin;
 * writes validated like the file, applied as snapshots, kept by the store across restarts.
 */
class AdminObjectsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITER = "writer-token-1";
  private static final String READER = "reader-token-2";

  @TempDir Path storeDir;
  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  private String yaml() {
    return """
        admin:
          address: 127.0.0.1:0
          store: %s
          tokens:
            - { name: ci, hash: "%s", role: read-write }
            - { name: dashboard, hash: "%s", role: read-only }
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: file-route
            paths: [ "/file" ]
            strip-prefix: true
            service: backend
        """
        .formatted(storeDir, KeyHash.of(WRITER), KeyHash.of(READER), env.origin().authority());
  }

  @BeforeEach
  void start() throws Exception {
    gw = env.start(yaml());
  }

  private HttpResponse<String> call(
      String method, String path, String body, String token, String... headers) throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + token;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return gw.adminCall(method, path, body, all);
  }

  @Test
  void createdRouteServesTrafficAndReadsBackWithItsEtag() throws Exception {
    HttpResponse<String> created =
        call(
            "POST",
            "/routes",
            "{\"name\":\"orders\",\"paths\":[\"/orders\"],\"service\":\"backend\",\"strip-prefix\":true}",
            WRITER);
    assertThat(created.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(created.body()).get("version").asLong()).isEqualTo(1);
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    assertThat(env.origin().requests()).isNotEmpty();

    HttpResponse<String> read = call("GET", "/routes/orders", null, WRITER);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("Portico-Source")).hasValue("api");
    assertThat(JSON.readTree(read.body()).get("service").asText()).isEqualTo("backend");
    String etag = read.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> list = call("GET", "/routes", null, READER);
    JsonNode routes = JSON.readTree(list.body()).get("routes");
    assertThat(routes.get(0).get("source").asText()).isEqualTo("file");
    assertThat(routes.get(1).get("name").asText()).isEqualTo("orders");
    assertThat(routes.get(1).get("source").asText()).isEqualTo("api");

    // A second POST of the same name conflicts; a PUT replaces it.
    assertThat(
            call(
                    "POST",
                    "/routes",
                    "{\"name\":\"orders\",\"service\":\"backend\",\"strip-prefix\":true}",
                    WRITER)
                .statusCode())
        .isEqualTo(409);
    HttpResponse<String> replaced =
        call(
            "PUT",
            "/routes/orders",
            "{\"paths\":[\"/v2/orders\"],\"service\":\"backend\",\"strip-prefix\":true}",
            WRITER,
            "If-Match",
            etag);
    assertThat(replaced.statusCode()).isEqualTo(200);
    assertThat(gw.get("/v2/orders/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(404);

    // The old ETag is stale now.
    HttpResponse<String> stale = call("DELETE", "/routes/orders", null, WRITER, "If-Match", etag);
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(stale.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(gw.get("/v2/orders/hello").statusCode()).isEqualTo(200);

    HttpResponse<String> patched =
        call("PATCH", "/routes/orders", "{\"paths\":[\"/v3/orders\"]}", WRITER);
    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(gw.get("/v3/orders/hello").statusCode()).isEqualTo(200);

    assertThat(call("DELETE", "/routes/orders", null, WRITER).statusCode()).isEqualTo(200);
    assertThat(gw.get("/v3/orders/hello").statusCode()).isEqualTo(404);
    assertThat(call("GET", "/routes/orders", null, WRITER).statusCode()).isEqualTo(404);
    assertThat(call("DELETE", "/routes/orders", null, WRITER).statusCode()).isEqualTo(404);
  }

  @Test
  void anInvalidWriteListsEveryProblemWithItsPathAndChangesNothing() throws Exception {
    String before = gw.gateway().version();
    HttpResponse<String> r =
        call(
            "PUT",
            "/routes/bad",
            "{\"paths\":[\"users/{id\"],\"methods\":[\"FETCH\"],\"service\":\"nowhere\"}",
            WRITER);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode problems = JSON.readTree(r.body()).get("problems");
    List<String> paths = new ArrayList<>();
    problems.forEach(p -> paths.add(p.get("path").asText()));
    assertThat(paths).containsExactlyInAnyOrder("$.paths[0]", "$.methods[0]", "$.service");
    problems.forEach(p -> assertThat(p.get("source").asText()).isEqualTo("/routes/bad"));
    assertThat(gw.gateway().version()).isEqualTo(before);

    HttpResponse<String> syntax = call("POST", "/services", "{\"name\": ", WRITER);
    assertThat(syntax.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(syntax.body()).at("/problems/0/source").asText())
        .isEqualTo("request body");

    HttpResponse<String> renamed = call("PUT", "/services/a", "{\"name\":\"b\"}", WRITER);
    assertThat(renamed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(renamed.body()).at("/problems/0/path").asText()).isEqualTo("$.name");

    // Deleting a service a route uses is refused, with the route's file location.
    HttpResponse<String> orphan = call("DELETE", "/services/backend", null, WRITER);
    assertThat(orphan.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(orphan.body()).at("/problems/0/path").asText())
        .isEqualTo("routes[0].service");
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(200);

    JsonNode audit = JSON.readTree(call("GET", "/audit", null, READER).body()).get("entries");
    assertThat(audit.get(0).get("outcome").asText()).isEqualTo("rejected");
    assertThat(audit.get(0).get("actor").asText()).isEqualTo("ci");
  }

  @Test
  void aReadOnlyTokenReadsButCannotWrite() throws Exception {
    assertThat(call("GET", "/services", null, READER).statusCode()).isEqualTo(200);
    HttpResponse<String> w =
        call("POST", "/services", "{\"name\":\"x\",\"targets\":[\"127.0.0.1:1\"]}", READER);
    assertThat(w.statusCode()).isEqualTo(403);
    assertThat(call("POST", "/reload", null, READER).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/services", null, "wrong").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/services/x", null, READER).statusCode()).isEqualTo(404);
  }

  @Test
  void versionsDiffAndRollBack() throws Exception {
    call("PUT", "/services/extra", "{\"targets\":[\"" + env.origin().authority() + "\"]}", WRITER);
    call(
        "PUT",
        "/routes/extra",
        "{\"paths\":[\"/extra\"],\"service\":\"extra\",\"strip-prefix\":true}",
        WRITER);
    assertThat(gw.get("/extra/hello").statusCode()).isEqualTo(200);

    JsonNode versions = JSON.readTree(call("GET", "/config/versions", null, READER).body());
    assertThat(versions.at("/versions/0/number").asLong()).isEqualTo(2);
    assertThat(versions.at("/versions/0/actor").asText()).isEqualTo("ci");
    JsonNode diff = JSON.readTree(call("GET", "/config/diff?from=1&to=2", null, READER).body());
    assertThat(diff.get("added").get(0).asText()).isEqualTo("routes/extra");

    HttpResponse<String> rollback = call("POST", "/config/versions/1/rollback", null, WRITER);
    assertThat(rollback.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(rollback.body()).get("version").asLong()).isEqualTo(3);
    assertThat(gw.get("/extra/hello").statusCode()).isEqualTo(404);
    assertThat(call("POST", "/config/versions/99/rollback", null, WRITER).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aRestartKeepsTheApiObjectsAndAReloadOfTheFileKeepsThemToo() throws Exception {
    call("PUT", "/services/extra", "{\"targets\":[\"" + env.origin().authority() + "\"]}", WRITER);
    call(
        "PUT",
        "/routes/extra",
        "{\"paths\":[\"/extra\"],\"service\":\"extra\",\"strip-prefix\":true}",
        WRITER);
    call("DELETE", "/routes/file-route", null, WRITER);
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(404);

    assertThat(call("POST", "/reload", null, WRITER).statusCode()).isEqualTo(200);
    assertThat(gw.get("/extra/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(404);

    gw.close();
    gw = env.start(yaml());
    assertThat(gw.get("/extra/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(404);
    assertThat(Files.list(storeDir.resolve("versions")).count()).isEqualTo(3);
  }

  @Test
  void hundredWritesUnderLoadFailNoRequest() throws Exception {
    RequestStream stream = RequestStream.start(4, () -> gw.get("/file/hello"));
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> w =
          call(
              "PUT",
              "/routes/r" + (i % 10),
              "{\"paths\":[\"/r" + i + "\"],\"service\":\"backend\",\"strip-prefix\":true}",
              WRITER);
      assertThat(w.statusCode()).as(w.body()).isEqualTo(200);
    }
    HttpResponse<String> invalid = call("PUT", "/routes/r0", "{\"paths\":[\"x\"]}", WRITER);
    assertThat(invalid.statusCode()).isEqualTo(400);
    stream.close();
    assertThat(stream.failures()).isEmpty();
    assertThat(stream.ok()).isPositive();
    assertThat(gw.get("/r90/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void theOpenApiDocumentDescribesExactlyTheServedEndpoints() throws Exception {
    JsonNode doc = JSON.readTree(call("GET", "/openapi.json", null, READER).body());
    Set<String> documented = new HashSet<>();
    for (Map.Entry<String, JsonNode> path : doc.get("paths").properties()) {
      for (Map.Entry<String, JsonNode> m : path.getValue().properties()) {
        if (!m.getKey().equals("parameters")) {
          documented.add(m.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
        }
      }
    }
    Set<String> served = new HashSet<>();
    String[] methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (String path : documented.stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList()) {
      String concrete =
          path.replace("{name}", "nothing-here")
              .replace("{consumer}", "c")
              .replace("{id}", "nothing-here")
              .replace("{number}", "1")
              // a valid tail streams without end; a bad filter answers at once
              .replace("/logs/tail", "/logs/tail?status=bad");
      for (String m : methods) {
        HttpResponse<String> r = call(m, concrete, m.equals("GET") ? null : "{}", WRITER);
        if (r.statusCode() != 405
            && !(r.statusCode() == 404
                && JSON.readTree(r.body())
                    .path("detail")
                    .asText()
                    .startsWith("No admin endpoint"))) {
          served.add(m + " " + path);
        }
      }
    }
    assertThat(served).isEqualTo(documented);
    // Every example request body is accepted by the endpoint it belongs to.
    for (String kind : List.of("services", "consumers", "plugins", "routes")) {
      String example =
          doc.at("/paths/~1" + kind + "/post/requestBody/content/application~1json/example")
              .toString();
      HttpResponse<String> r = call("POST", "/" + kind, example, WRITER);
      assertThat(r.statusCode()).as(kind + ": " + r.body()).isEqualTo(200);
    }
  }

  @Test
  void theAdminApiPageNamesExactlyTheOperationsOfTheOpenApiDocument() throws Exception {
    JsonNode doc = JSON.readTree(OpenApi.document());
    Set<String> documented = new HashSet<>();
    for (Map.Entry<String, JsonNode> path : doc.get("paths").properties()) {
      for (Map.Entry<String, JsonNode> m : path.getValue().properties()) {
        if (!m.getKey().equals("parameters")) {
          documented.add(m.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
        }
      }
    }
    String page =
        Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/admin-api.md"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("`(GET|POST|PUT|PATCH|DELETE) (/[^`?]*)[^`]*`")
            .matcher(page);
    Set<String> onPage = new HashSet<>();
    while (m.find()) {
      onPage.add(m.group(1) + " " + m.group(2));
    }
    assertThat(onPage).isEqualTo(documented);
  }

  @Test
  void listsAreSearchedAndPagedOnTheServerWithTheirTotal() throws Exception {
    StringBuilder changes = new StringBuilder("{\"changes\":[");
    for (int i = 0; i < 1000; i++) {
      changes
          .append(i == 0 ? "" : ",")
          .append(
              "{\"op\":\"put\",\"kind\":\"routes\",\"name\":\"r%04d\",\"object\":{\"paths\":[\"/p%04d\"],\"service\":\"backend\"}},"
                  .formatted(i, i))
          .append(
              "{\"op\":\"put\",\"kind\":\"consumers\",\"name\":\"c%04d\",\"object\":{}}"
                  .formatted(i));
    }
    assertThat(call("POST", "/config/changes", changes + "]}", WRITER).statusCode()).isEqualTo(200);

    // Without limit every object is listed, as before; total says how many.
    JsonNode all = JSON.readTree(call("GET", "/consumers", null, READER).body());
    assertThat(all.get("total").asInt()).isEqualTo(1000);
    assertThat(all.get("consumers")).hasSize(1000);

    long started = System.nanoTime();
    JsonNode page =
        JSON.readTree(call("GET", "/consumers?limit=50&offset=100", null, READER).body());
    JsonNode routes =
        JSON.readTree(call("GET", "/routes?q=R01&limit=50&offset=0", null, READER).body());
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    assertThat(page.get("total").asInt()).isEqualTo(1000);
    assertThat(page.get("consumers")).hasSize(50);
    assertThat(page.get("consumers").get(0).get("name").asText()).isEqualTo("c0100");
    // r0100..r0199 by name, and no other route has "r01" in its path or service.
    assertThat(routes.get("total").asInt()).isEqualTo(100);
    assertThat(routes.get("routes")).hasSize(50);
    assertThat(routes.get("routes").get(0).get("plugins").isArray()).isTrue();

    // Routes are also found by path and by service.
    assertThat(JSON.readTree(call("GET", "/routes?q=/p0999", null, READER).body()).get("total"))
        .hasToString("1");
    assertThat(
            JSON.readTree(call("GET", "/routes?q=BACKEND&limit=1", null, READER).body())
                .get("total")
                .asInt())
        .isEqualTo(1001);
    JsonNode services = JSON.readTree(call("GET", "/services?q=nothing", null, READER).body());
    assertThat(services.get("total").asInt()).isZero();
    assertThat(services.get("services")).isEmpty();

    for (String bad : List.of("limit=0", "limit=501", "limit=x", "offset=-1")) {
      HttpResponse<String> r = call("GET", "/plugins?" + bad, null, READER);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(call("GET", "/routes?" + bad, null, READER).statusCode()).isEqualTo(400);
    }
  }

  @Test
  void aDryRunAnswersTheYamlDiffOrTheProblemsAndChangesNothing() throws Exception {
    String versionsBefore = call("GET", "/config/versions", null, READER).body();
    int auditBefore =
        JSON.readTree(call("GET", "/audit", null, READER).body()).get("entries").size();

    HttpResponse<String> dry =
        call(
            "PUT",
            "/routes/file-route?dry_run=true",
            "{\"paths\":[\"/file\",\"/more\"],\"service\":\"backend\",\"strip-prefix\":true}",
            WRITER);
    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(dry.body());
    assertThat(answer.get("dry_run").asBoolean()).isTrue();
    assertThat(answer.get("applied").asBoolean()).isFalse();
    assertThat(answer.at("/changes/0/change").asText()).isEqualTo("update");
    assertThat(answer.get("diff").asText())
        .contains("--- a/routes/file-route", "+++ b/routes/file-route", "+  - /more")
        .contains("   - /file");
    assertThat(gw.get("/more/hello").statusCode()).isEqualTo(404);

    HttpResponse<String> patched =
        call("PATCH", "/routes/file-route?dry_run=true", "{\"methods\":[\"GET\"]}", WRITER);
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    assertThat(JSON.readTree(patched.body()).get("diff").asText())
        .contains("+methods:", "+  - GET");

    // A batch dry run: a new service and a route to it, and a delete.
    HttpResponse<String> batch =
        call(
            "POST",
            "/config/changes",
            """
            {"dry_run": true, "changes": [
              {"op": "put", "kind": "services", "name": "new", "object": {"targets": ["127.0.0.1:9"]}},
              {"op": "delete", "kind": "routes", "name": "file-route"}]}
            """,
            WRITER);
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
    JsonNode b = JSON.readTree(batch.body());
    assertThat(b.at("/changes/0/change").asText()).isEqualTo("create");
    assertThat(b.at("/changes/0/diff").asText()).contains("--- /dev/null", "+name: new");
    assertThat(b.at("/changes/1/change").asText()).isEqualTo("delete");
    assertThat(b.at("/changes/1/diff").asText()).contains("+++ /dev/null", "-name: file-route");

    // Problems are answered as a write's, each with its JSON path.
    HttpResponse<String> invalid =
        call("POST", "/routes?dry_run=true", "{\"name\":\"x\",\"service\":\"nowhere\"}", WRITER);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.body()).at("/problems/0/path").asText())
        .isEqualTo("$.service");
    assertThat(call("DELETE", "/routes/file-route?dry_run=maybe", null, WRITER).statusCode())
        .isEqualTo(400);
    assertThat(call("DELETE", "/routes/file-route?dry_run=true", null, READER).statusCode())
        .isEqualTo(403);
    assertThat(call("DELETE", "/routes/file-route?dry_run=true", null, WRITER).statusCode())
        .isEqualTo(200);

    // Nothing changed, nothing was stored, nothing audited.
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(200);
    assertThat(call("GET", "/services/new", null, READER).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/config/versions", null, READER).body()).isEqualTo(versionsBefore);
    assertThat(JSON.readTree(call("GET", "/audit", null, READER).body()).get("entries"))
        .hasSize(auditBefore);
  }
}
