package io.portico.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.portico.config.ConfigFiles;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.testing.GatewayFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregate backends whose requests are templates, and sequential steps that read earlier backends'
 * bodies: real origins on real sockets, the gateway in-process.
 */
class AggregateTemplatesEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static HttpServer users;
  private static HttpServer echo;

  @BeforeAll
  static void startOrigins() throws IOException {
    // GET /users/<id> -> {"id":<id>,"name":"Ada","team":{"slug":"core team"}}; /users/fail -> 500
    users = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    users.setExecutor(Executors.newCachedThreadPool());
    users.createContext(
        "/users/",
        ex -> {
          String id = ex.getRequestURI().getPath().substring("/users/".length());
          boolean fail = id.equals("fail");
          String text =
              fail
                  ? "{\"error\":\"down\"}"
                  : "{\"id\":" + id + ",\"name\":\"Ada\",\"team\":{\"slug\":\"core team\"}}";
          reply(ex, fail ? 500 : 200, text);
        });
    users.start();
    // Any request -> its method, URI, X-User header and body, as JSON.
    echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    echo.setExecutor(Executors.newCachedThreadPool());
    echo.createContext(
        "/",
        ex -> {
          byte[] in = ex.getRequestBody().readAllBytes();
          String user = ex.getRequestHeaders().getFirst("X-User");
          String type = ex.getRequestHeaders().getFirst("Content-Type");
          String text =
              "{\"method\":\""
                  + ex.getRequestMethod()
                  + "\",\"uri\":"
                  + JSON.writeValueAsString(ex.getRequestURI().toString())
                  + ",\"user\":"
                  + JSON.writeValueAsString(user)
                  + ",\"type\":"
                  + JSON.writeValueAsString(type)
                  + ",\"body\":"
                  + JSON.writeValueAsString(new String(in, StandardCharsets.UTF_8))
                  + "}";
          reply(ex, 200, text);
        });
    echo.start();
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @AfterAll
  static void stopOrigins() {
    users.stop(0);
    echo.stop(0);
  }

  private static String services() {
    return """
        services:
          - name: users
            targets: [ { target: "127.0.0.1:%d" } ]
          - name: orders
            targets: [ { target: "127.0.0.1:%d" } ]
        """
        .formatted(users.getAddress().getPort(), echo.getAddress().getPort());
  }

  private static String route(String aggregate) {
    return services()
        + "routes:\n  - name: screen\n    paths: [\"/screen/{uid}\"]\n    aggregate:\n"
        + aggregate;
  }

  @Test
  void rendersBackendMethodPathQueryHeadersAndBodyFromTheRequest() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - name: echo
                      service: orders
                      method: "${header.X-Method:-PUT}"
                      path: "/echo/${path_param.uid}/${query.tag}"
                      query: { route: "${route}", id: "${request_id}", q: "${query.q:-none}" }
                      headers: { X-User: "user-${header.X-User}" }
                      body:
                        item: "${body./item}"
                        count: "${body./count}"
                        client: "${client_ip}"
                        missing: "${body./nothing}"
                        fixed: [1, "two", true]
                      group: echo
                    - { name: other, service: users, path: "/users/${path_param.uid}", group: user }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/screen/7?tag=a%2Fb&q=x%20y"))
                  .header("X-User", "ada")
                  .header("X-Request-Id", "rid-1")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"item\":{\"sku\":\"s-1\"},\"count\":3}")));

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode answer = JSON.readTree(r.body());
      JsonNode e = answer.get("echo");
      assertThat(e.get("method").asText()).isEqualTo("PUT");
      // A value is one path segment: the / of the query value is encoded.
      assertThat(e.get("uri").asText()).startsWith("/echo/7/a%2Fb?route=screen&id=");
      assertThat(e.get("uri").asText()).endsWith("&q=x%20y");
      assertThat(e.get("user").asText()).isEqualTo("user-ada");
      assertThat(e.get("type").asText()).isEqualTo("application/json");
      JsonNode sent = JSON.readTree(e.get("body").asText());
      assertThat(sent.get("item").toString()).isEqualTo("{\"sku\":\"s-1\"}");
      assertThat(sent.get("count").isNumber()).isTrue();
      assertThat(sent.get("client").asText()).isEqualTo("127.0.0.1");
      assertThat(sent.has("missing")).as("a missing value leaves the member out").isFalse();
      assertThat(sent.get("fixed").toString()).isEqualTo("[1,\"two\",true]");
      assertThat(answer.get("user").get("id").asInt()).isEqualTo(7);
    }
  }

  @Test
  void sequentialStepReadsTheEarlierBackendsBody() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: users, service: users, path: "/users/${path_param.uid}", group: user }
                    - name: orders
                      service: orders
                      after: [users]
                      path: /orders
                      query: { user: "${backend.users./id}", team: "${backend.users./team/slug}" }
                      headers: { X-User: "${backend.users./name}" }
                      group: orders
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen/42");

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode answer = JSON.readTree(r.body());
      assertThat(answer.get("orders").get("uri").asText())
          .isEqualTo("/orders?user=42&team=core%20team");
      assertThat(answer.get("orders").get("user").asText()).isEqualTo("Ada");
      assertThat(answer.get("user").get("name").asText()).isEqualTo("Ada");
    }
  }

  @Test
  void failedDependencyFailsItsDependantInPartialMode() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: users, service: users, path: "/users/${path_param.uid}", group: user }
                    - { name: orders, service: orders, after: [users], path: "/orders?user=${backend.users./id}", group: orders }
                    - { name: static, service: orders, path: /static, group: static }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen/fail");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-portico-aggregate-failed")).hasValue("users,orders");
      JsonNode answer = JSON.readTree(r.body());
      assertThat(answer.get("static").get("uri").asText()).isEqualTo("/static");
      JsonNode failures = answer.get("_failures");
      assertThat(failures.get("users").get("cause").asText()).isEqualTo("upstream_status");
      assertThat(failures.get("users").get("status").asInt()).isEqualTo(500);
      assertThat(failures.get("orders").get("cause").asText()).isEqualTo("dependency_failed");
      assertThat(failures.get("orders").get("detail").asText()).contains("backend users failed");
    }
  }

  @Test
  void failedDependencyFailsTheAggregateInStrictMode() throws Exception {
    String yaml =
        route(
            """
                  failure: strict
                  backends:
                    - { name: users, service: users, path: "/users/${path_param.uid}" }
                    - { name: orders, service: orders, after: [users], path: "/orders/${backend.users./id}", group: orders }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen/fail");

      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(r.body()).contains("users (upstream_status 500)");
      assertThat(r.headers().firstValue("x-portico-aggregate-failed")).hasValue("users");
    }
  }

  @Test
  void aNonJsonRequestBodyLeavesBodyValuesMissing() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: echo, service: orders, path: "/e/${body./id:-none}", group: echo }
                    - { name: u, service: users, path: "/users/1", group: u }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/screen/1"))
                  .POST(HttpRequest.BodyPublishers.ofString("not json")));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).get("echo").get("uri").asText()).isEqualTo("/e/none");
    }
  }

  @Test
  void aRequestBodyOverTheAggregatesCapIs413() throws Exception {
    String yaml =
        route(
            """
                  max-body-size: 32
                  backends:
                    - { name: echo, service: orders, path: "/e/${body./id:-none}", group: echo }
                    - { name: u, service: users, path: "/users/1", group: u }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/screen/1"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString("{\"id\":\"" + "x".repeat(100) + "\"}")));

      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(r.body()).contains("32 bytes");
    }
  }

  @Test
  void templateProblemsAndCyclesAreConfigErrorsWithPositions(@TempDir Path dir) {
    String yaml =
        services()
            + """
            routes:
              - name: screen
                paths: ["/screen/{uid}"]
                aggregate:
                  backends:
                    - { name: users, service: users, path: "/users/${nope}" }
                    - { name: orders, service: orders, path: "/o/${backend.users./id}" }
                    - { name: a, service: orders, path: /a, after: [b] }
                    - { name: b, service: orders, path: /b, after: [a], headers: { X: "${status}" } }
                    - { name: c, service: orders, path: /c, after: [ghost], body: "${backend.c./x" }
            """;
    List<String> problems =
        ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), PluginRegistry.of(List.of()))
            .problems()
            .list()
            .stream()
            .map(Problem::toString)
            .toList();

    assertThat(problems)
        .anyMatch(p -> p.matches("portico\\.yaml:11:\\d+: .*unknown variable \\$\\{nope\\}.*"))
        .anyMatch(
            p ->
                p.matches(
                    "portico\\.yaml:12:\\d+: .*\\$\\{backend\\.users\\./id\\}: backend \"users\""
                        + " is not one this backend waits for.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:\\d+:\\d+: .*after: a -> b -> a.*no cycle.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:14:\\d+: .*\\$\\{status\\} is not available.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:15:\\d+: .*\"ghost\".*another backend.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:15:\\d+: .*every \\$\\{ closed by \\}.*"));
    // The column points at the ${ of the unknown variable.
    String unknown = problems.stream().filter(p -> p.contains("${nope}")).findFirst().orElseThrow();
    int column = Integer.parseInt(unknown.split(":")[2]);
    String line = yaml.lines().toList().get(10);
    assertThat(line.indexOf("${nope}") + 1).isEqualTo(column);
  }
}
