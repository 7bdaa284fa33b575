package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code json-xml} requests over real sockets: JSON converted to XML on its way to the recording
 * origin, or refused before it; both ways through an XML backend; the example; config errors.
 */
class JsonXmlEndToEndTest extends JsonXmlGateway {

  // ---- JSON to XML, requests ----

  @Test
  void convertsAJsonRequestToXmlWithNamespacesAttributesArraysAndTypedValues() throws Exception {
    HttpResponse<String> r =
        post(
            "/req/echo",
            "application/json",
            """
            {"id": 7, "@version": "2", "price": {"@cur": "EUR", "#text": 9.50},
             "tags": ["a", "b"], "note": null, "ok": true, "x:ref": "r1", "name": "A & <B>"}""");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<order xmlns=\"urn:example:orders\" xmlns:x=\"urn:example:extra\" version=\"2\">"
                + "<id>7</id><price cur=\"EUR\">9.50</price><tags>a</tags><tags>b</tags><note/>"
                + "<ok>true</ok><x:ref>r1</x:ref><name>A &amp; &lt;B&gt;</name></order>");
    io.netty.handler.codec.http.HttpRequest seen = recorder.lastRequest();
    assertThat(seen.headers().get("content-type")).isEqualTo("application/xml; charset=utf-8");
    assertThat(seen.headers().getInt("content-length"))
        .isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void writesArraysWrappedOrRepeatedWithTheConfiguredItemName() throws Exception {
    String doc = "{\"tags\": [\"a\", \"b\"], \"m\": [[1, 2], [3]], \"none\": []}";
    assertThat(post("/wrap/echo", "application/json", doc).body())
        .isEqualTo(
            "<root><tags><entry>a</entry><entry>b</entry></tags>"
                + "<m><entry><entry>1</entry><entry>2</entry></entry><entry><entry>3</entry></entry></m>"
                + "<none></none></root>");
    assertThat(recorder.lastRequest().headers().get("content-type")).isEqualTo("text/xml");
    assertThat(post("/bare/echo", "application/json", doc).body())
        .isEqualTo(
            "<root><tags>a</tags><tags>b</tags>"
                + "<m><item>1</item><item>2</item></m><m><item>3</item></m></root>");
    assertThat(post("/bare/echo", "application/json", "[1, {\"-a\": \"x\"}, \"s\"]").body())
        .isEqualTo("<root><item>1</item><item a=\"x\"></item><item>s</item></root>");
  }

  @Test
  void convertsAChunkedJsonRequestAndSendsItWithItsLength() throws Exception {
    byte[] body = bytes("{\"a\": \"\u00e9t\u00e9\", \"b\": [1, 2]}");
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/bare/echo"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.api+json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body))));

    assertThat(r.body()).isEqualTo("<root><a>\u00e9t\u00e9</a><b>1</b><b>2</b></root>");
    io.netty.handler.codec.http.HttpRequest seen = recorder.lastRequest();
    assertThat(seen.headers().contains("transfer-encoding")).isFalse();
    assertThat(seen.headers().getInt("content-length"))
        .isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void convertsBothWaysForHttp2Clients() throws Exception {
    try (H2Client h2 = H2Client.connect(gw.address())) {
      FullHttpRequest request =
          H2Client.request(
              HttpMethod.POST, "/bare/echo", "127.0.0.1:" + gw.port(), bytes("{\"a\": 1}"));
      request.headers().set("content-type", "application/json");
      H2Client.Response r = h2.send(request).get();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("<root><a>1</a></root>");
      H2Client.Response json = h2.get("/res/chunked", "x");
      assertThat(json.status()).isEqualTo(200);
      assertThat(json.headers().get("content-type")).isEqualTo("application/json");
      assertThat(json.body())
          .isEqualTo("{\"item\":[{\"@n\":\"1\",\"#text\":\"x\"},{\"@n\":\"2\",\"#text\":\"y\"}]}");
      assertThat(h2.get("/res/laughs", "x").status()).isEqualTo(502);
    }
  }

  @Test
  void leavesOtherContentTypesAndBodilessRequestsAlone() throws Exception {
    assertThat(post("/req/echo", "text/plain", "{\"a\": 1}").body()).isEqualTo("{\"a\": 1}");
    assertThat(recorder.lastRequest().headers().get("content-type")).isEqualTo("text/plain");
    HttpResponse<String> get = gw.get("/req/hello");
    assertThat(get.statusCode()).isEqualTo(200);
  }

  @Test
  void answersMalformedJsonWith400AndSendsNothingUpstream() throws Exception {
    int before = recorder.requestCount();
    HttpResponse<String> r = post("/req/echo", "application/json", "{\"a\": 1,, }");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("malformed-request-body").contains("not valid JSON at byte 8");
    assertThat(post("/req/echo", "application/json", "{\"a\": 1} {}").statusCode()).isEqualTo(400);
    assertThat(post("/req/echo", "application/json", "{\"a\": 1, \"a\": 2}").body())
        .contains("Duplicate field");
    assertThat(recorder.requestCount()).isEqualTo(before);
  }

  @Test
  void answersJsonThatXmlCannotCarryWith400NamingTheMember() throws Exception {
    int before = recorder.requestCount();
    HttpResponse<String> name = post("/req/echo", "application/json", "{\"first name\": 1}");
    assertThat(name.statusCode()).isEqualTo(400);
    assertThat(name.body())
        .contains("request-transformation-failed")
        .contains("member \\\"first name\\\" is not an XML element name");
    assertThat(post("/req/echo", "application/json", "{\"y:a\": 1}").body())
        .contains("prefix \\\"y\\\", which the configured namespaces do not declare");
    assertThat(post("/req/echo", "application/json", "{\"a\": \"bell \\u0007\"}").body())
        .contains("U+0007");
    assertThat(post("/req/echo", "application/json", "{\"@a\": {\"b\": 1}}").body())
        .contains("attribute member \\\"@a\\\" is not a string");
    assertThat(recorder.requestCount()).isEqualTo(before);
  }

  @Test
  void answersARequestOverTheCapWith413() throws Exception {
    int before = recorder.requestCount();
    HttpResponse<String> r =
        post("/req/echo", "application/json", "{\"a\": \"" + "x".repeat(2000) + "\"}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(recorder.requestCount()).isEqualTo(before);
  }

  // ---- both ways ----

  @Test
  void convertsBothWaysThroughAnXmlBackend() throws Exception {
    String doc =
        "{\"id\":\"7\",\"lines\":[{\"@n\":\"1\",\"sku\":\"a\"},{\"@n\":\"2\",\"sku\":\"b\"}]}";
    HttpResponse<String> r = post("/both/soap", "application/json", doc);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-got-type")).hasValue("application/xml; charset=utf-8");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo(doc);
  }

  @Test
  void theExampleConvertsAsItsCommentsSay() throws Exception {
    Path example = Path.of("").toAbsolutePath().getParent().resolve("examples/json-xml.yaml");
    String yaml =
        Files.readString(example)
            .replace("127.0.0.1:8080", "127.0.0.1:0")
            .replace("127.0.0.1:9000", origin.authority());
    try (GatewayFixture soap = GatewayFixture.start(yaml)) {
      HttpResponse<String> r =
          soap.send(
              HttpRequest.newBuilder(soap.uri("/orders"))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"soap:Body\": {\"ord:create\": {\"@ord:channel\": \"web\","
                              + " \"ord:line\": [{\"sku\": \"a\"}, {\"sku\": \"b\"}]}}}")));
      assertThat(ordersReceived.get())
          .isEqualTo(
              "text/xml; charset=utf-8 <?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                  + "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""
                  + " xmlns:ord=\"urn:example:orders\"><soap:Body>"
                  + "<ord:create ord:channel=\"web\"><ord:line><sku>a</sku></ord:line>"
                  + "<ord:line><sku>b</sku></ord:line></ord:create></soap:Body></soap:Envelope>");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"Body\":{\"result\":{\"id\":42,\"line\":[\"a\"]}}}");
    }
  }

  // ---- config ----

  @Test
  void reportsConfigErrorsWithTheirPositions() {
    String yaml =
        """
        services:
          - name: s
            targets: [ "127.0.0.1:1" ]
        routes:
          - name: r
            paths: [ / ]
            service: s
            plugins:
              json-xml:
                attribute-prefix: a
                request:
                  root: "p:order"
                  namespaces: { xmlns: "urn:x", "b c": "urn:y" }
                  arrays: sometimes
                  content-types: [ json ]
                response:
                  prefixes: drop
                  force-arrays: [ "1item" ]
                  max-size: 0
                  mode: x
          - name: r2
            paths: [ /two ]
            service: s
            plugins:
              json-xml: {}
        """;
    ConfigResult result =
        ConfigFiles.parse(
            yaml,
            "portico.yaml",
            Path.of("."),
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.problems().list().stream().map(Object::toString))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:10:").contains("attribute-prefix"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:12:").contains("\"p\" is not"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:13:").contains("xmlns"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:13:").contains("b c"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:14:").contains("sometimes"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:15:").contains("json"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:17:").contains("drop"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:18:").contains("1item"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:19:").contains("max-size"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:20:").contains("unknown key"))
        .anySatisfy(p -> assertThat(p).contains("nothing to convert"));
  }
}
