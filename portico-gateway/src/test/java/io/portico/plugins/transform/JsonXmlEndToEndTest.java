package io.portico.plugins.transform;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.end;
import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.ScriptedOrigin;
import io.portico.testing.TestOrigin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code json-xml} over real sockets. Requests: a recording origin ({@code /echo} answers the body
 * it received, every head is kept) shows the XML the gateway sent and its framing; malformed,
 * unconvertible and oversize bodies never reach it. Responses: a scripted origin answers XML (in
 * one piece, chunked, gzip, in another charset) and hostile XML (external entities, an external
 * DTD, entity expansion, deep nesting), which the gateway refuses with problems without reading
 * anything outside the document. The leak detector runs at paranoid and fails the class on a leak.
 */
class JsonXmlEndToEndTest {

  private static final String ORDER_XML =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <!-- an order -->
      <o:order xmlns:o="urn:example:o" xmlns="urn:example:d" id="7" o:kind="web">
        <item sku="a">1</item>
        <item sku="b">2</item>
        <note/>
        <o:total cur="EUR">9.50</o:total>
        <flag>true</flag>
        <text><![CDATA[a <b> & c]]></text>
      </o:order>
      """;

  private static final String BILLION_LAUGHS =
      """
      <?xml version="1.0"?>
      <!DOCTYPE lolz [
        <!ENTITY lol "lol">
        <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
        <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
        <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
        <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
        <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
        <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
      ]>
      <lolz>&lol9;</lolz>
      """;

  private static TestOrigin recorder;
  private static ScriptedOrigin origin;
  private static GatewayFixture gw;
  private static final AtomicInteger dtdFetches = new AtomicInteger();
  private static final AtomicInteger soapCalls = new AtomicInteger();
  private static final AtomicReference<String> ordersReceived = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    recorder = TestOrigin.start();
    origin = ScriptedOrigin.start();
    origin
        .on("/order", (ctx, req) -> ctx.writeAndFlush(xml(ORDER_XML)))
        .on("/single", (ctx, req) -> ctx.writeAndFlush(xml("<list><item>1</item></list>")))
        .on("/leaf", (ctx, req) -> ctx.writeAndFlush(xml("<count>42</count>")))
        .on("/secret", (ctx, req) -> ctx.writeAndFlush(xml("<r><id>1</id><secret>s</secret></r>")))
        .on(
            "/chunked",
            (ctx, req) -> {
              ctx.write(chunkedHead(200, "content-type", "text/xml; charset=utf-8"));
              ctx.write(chunk(bytes("<list><it")));
              ctx.writeAndFlush(chunk(bytes("em n=\"1\">x</item><item n=\"2\">")));
              ctx.write(chunk(bytes("y</item></li")));
              ctx.write(chunk(bytes("st>")));
              ctx.writeAndFlush(end());
            })
        .on(
            "/gzip",
            (ctx, req) ->
                ctx.writeAndFlush(
                    full(
                        200,
                        gzip(bytes("<a><b>1</b></a>")),
                        "content-type",
                        "application/xml",
                        "content-encoding",
                        "gzip")))
        .on(
            "/latin1",
            (ctx, req) ->
                ctx.writeAndFlush(
                    full(
                        200,
                        "<a>caf\u00e9</a>".getBytes(StandardCharsets.ISO_8859_1),
                        "content-type",
                        "application/xml; charset=ISO-8859-1")))
        .on(
            "/soap-fault",
            (ctx, req) ->
                ctx.writeAndFlush(
                    full(
                        500,
                        bytes("<Fault><code>Server</code></Fault>"),
                        "content-type",
                        "application/soap+xml")))
        .on(
            "/json",
            (ctx, req) ->
                ctx.writeAndFlush(
                    full(200, bytes("{\"a\":1}"), "content-type", "application/json")))
        .on(
            "/text",
            (ctx, req) -> ctx.writeAndFlush(full(200, bytes("<a/>"), "content-type", "text/plain")))
        .on("/big", (ctx, req) -> ctx.writeAndFlush(xml("<a>" + "<b>1</b>".repeat(400) + "</a>")))
        .on("/broken", (ctx, req) -> ctx.writeAndFlush(xml("<a><b>1</a>")))
        .on("/empty-doc", (ctx, req) -> ctx.writeAndFlush(xml("<!-- nothing -->")))
        .on("/laughs", (ctx, req) -> ctx.writeAndFlush(xml(BILLION_LAUGHS)))
        .on(
            "/xxe",
            (ctx, req) ->
                ctx.writeAndFlush(
                    xml(
                        "<?xml version=\"1.0\"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM"
                            + " \"file:///etc/passwd\">]><foo>&xxe;</foo>")))
        .on(
            "/xxe-remote",
            (ctx, req) ->
                ctx.writeAndFlush(
                    xml(
                        "<?xml version=\"1.0\"?><!DOCTYPE foo SYSTEM \"http://"
                            + origin.authority()
                            + "/evil.dtd\"><foo>&xxe;</foo>")))
        .on(
            "/evil.dtd",
            (ctx, req) -> {
              dtdFetches.incrementAndGet();
              ctx.writeAndFlush(
                  full(
                      200,
                      bytes("<!ENTITY xxe SYSTEM \"file:///etc/passwd\">"),
                      "content-type",
                      "application/xml-dtd"));
            })
        .on("/entity", (ctx, req) -> ctx.writeAndFlush(xml("<foo>&xxe;</foo>")))
        .on(
            "/deep",
            (ctx, req) -> ctx.writeAndFlush(xml("<a>".repeat(300) + "x" + "</a>".repeat(300))))
        .on(
            "/orders",
            (ctx, req) -> {
              ordersReceived.set(
                  req.headers().get("content-type")
                      + " "
                      + req.content().toString(StandardCharsets.UTF_8));
              ctx.writeAndFlush(
                  full(
                      200,
                      bytes(
                          "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                              + "<soap:Body><result><id>42</id><line>a</line></result></soap:Body>"
                              + "</soap:Envelope>"),
                      "content-type",
                      "text/xml; charset=utf-8"));
            })
        .on(
            "/soap",
            (ctx, req) -> {
              soapCalls.incrementAndGet();
              byte[] body = ByteBufUtil.getBytes(req.content());
              ctx.writeAndFlush(
                  full(
                      200,
                      body,
                      "content-type",
                      "application/xml",
                      "x-got-type",
                      req.headers().get("content-type", "")));
            });
    String route =
        """
          - name: %1$s
            paths: [ /%1$s/ ]
            service: %3$s
            strip-prefix: true
            plugins:
              json-xml: %2$s
        """;
    gw =
        GatewayFixture.start(
            """
            services:
              - name: recorder
                targets: [ "%s" ]
              - name: scripted
                targets: [ "%s" ]
            routes:
            """
                    .formatted(recorder.authority(), origin.authority())
                + route.formatted(
                    "req",
                    """
                    {
                              request: {
                                root: order,
                                namespace: "urn:example:orders",
                                namespaces: { x: "urn:example:extra" },
                                max-size: 1k
                              }
                            }""",
                    "recorder")
                + route.formatted(
                    "wrap",
                    "{ request: { arrays: wrap, array-item: entry, declaration: false,"
                        + " content-type: text/xml } }",
                    "recorder")
                + route.formatted(
                    "bare",
                    "{ request: { declaration: false }, attribute-prefix: \"-\" }",
                    "recorder")
                + route.formatted("res", "{ response: {} }", "scripted")
                + route.formatted(
                    "typed",
                    "{ response: { prefixes: keep, keep-root: true, infer-types: true } }",
                    "scripted")
                + route.formatted("forced", "{ response: { force-arrays: [ item ] } }", "scripted")
                + route.formatted("capped", "{ response: { max-size: 1k } }", "scripted")
                + """
                  - name: mocked
                    paths: [ /mocked/ ]
                    plugins:
                      mock: { body: "<a>1</a>", content-type: application/xml }
                      json-xml: { response: {} }
                  - name: chain
                    paths: [ /chain/ ]
                    service: scripted
                    strip-prefix: true
                    plugins:
                      json-xml: { response: { keep-root: true } }
                      response-transformer:
                        when: { content-types: [ application/xml ] }
                        json: { deny: [ r.secret ], wrap: data }
                      compression: { min-size: 1 }
                """
                + route.formatted(
                    "both",
                    "{ request: { root: envelope, declaration: false }, response: {} }",
                    "scripted"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    recorder.close();
    origin.close();
  }

  private static HttpResponse<String> post(String uri, String type, String body) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(uri))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

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

  // ---- XML to JSON, responses ----

  @Test
  void convertsAnXmlResponseToJsonStrippingPrefixes() throws Exception {
    HttpResponse<String> r = gw.get("/res/order");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body())
        .isEqualTo(
            "{\"@id\":\"7\",\"@kind\":\"web\","
                + "\"item\":[{\"@sku\":\"a\",\"#text\":\"1\"},{\"@sku\":\"b\",\"#text\":\"2\"}],"
                + "\"note\":\"\",\"total\":{\"@cur\":\"EUR\",\"#text\":\"9.50\"},"
                + "\"flag\":\"true\",\"text\":\"a <b> & c\"}");
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(r.body().getBytes(StandardCharsets.UTF_8).length));
  }

  @Test
  void keepsPrefixesAndTheRootAndInfersTypesWhenAsked() throws Exception {
    assertThat(gw.get("/typed/order").body())
        .isEqualTo(
            "{\"o:order\":{\"@id\":7,\"@o:kind\":\"web\","
                + "\"item\":[{\"@sku\":\"a\",\"#text\":1},{\"@sku\":\"b\",\"#text\":2}],"
                + "\"note\":null,\"o:total\":{\"@cur\":\"EUR\",\"#text\":9.50},"
                + "\"flag\":true,\"text\":\"a <b> & c\"}}");
    assertThat(gw.get("/typed/leaf").body()).isEqualTo("{\"count\":42}");
    assertThat(gw.get("/res/leaf").body()).isEqualTo("\"42\"");
  }

  @Test
  void writesNamedElementsAsArraysEvenWhenTheyOccurOnce() throws Exception {
    assertThat(gw.get("/forced/single").body()).isEqualTo("{\"item\":[\"1\"]}");
    assertThat(gw.get("/res/single").body()).isEqualTo("{\"item\":\"1\"}");
  }

  @Test
  void convertsAChunkedXmlResponseCutMidTag() throws Exception {
    HttpResponse<String> r = gw.get("/res/chunked");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo("{\"item\":[{\"@n\":\"1\",\"#text\":\"x\"},{\"@n\":\"2\",\"#text\":\"y\"}]}");
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(r.body().length()));
  }

  @Test
  void convertsGzipAndOtherCharsetsAndXmlErrorResponses() throws Exception {
    HttpResponse<String> gz = gw.get("/res/gzip");
    assertThat(gz.headers().firstValue("content-encoding")).isEmpty();
    assertThat(gz.body()).isEqualTo("{\"b\":\"1\"}");
    assertThat(gw.get("/res/latin1").body()).isEqualTo("\"caf\u00e9\"");
    HttpResponse<String> fault = gw.get("/res/soap-fault");
    assertThat(fault.statusCode()).isEqualTo(500);
    assertThat(fault.body()).isEqualTo("{\"code\":\"Server\"}");
  }

  @Test
  void leavesResponsesThatAreNotXmlAlone() throws Exception {
    HttpResponse<String> json = gw.get("/res/json");
    assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(json.body()).isEqualTo("{\"a\":1}");
    HttpResponse<String> text = gw.get("/res/text");
    assertThat(text.headers().firstValue("content-type")).hasValue("text/plain");
    assertThat(text.body()).isEqualTo("<a/>");
  }

  @Test
  void answersAnXmlResponseOverTheCapWith502() throws Exception {
    HttpResponse<String> r = gw.get("/capped/big");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("upstream-response-too-large");
    assertThat(gw.get("/res/big").statusCode()).isEqualTo(200);
  }

  @Test
  void answersMalformedXmlWith502NamingTheProblem() throws Exception {
    HttpResponse<String> r = gw.get("/res/broken");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body())
        .contains("upstream-body-invalid")
        .contains("XML body is malformed at line 1, column")
        .contains("must be terminated by the matching end-tag");
    assertThat(gw.get("/res/empty-doc").body()).contains("upstream-body-invalid");
    assertThat(gw.get("/res/entity").body())
        .contains("upstream-body-invalid")
        .contains("was referenced, but not declared");
    assertThat(gw.get("/res/deep").body())
        .contains("nests elements more than " + XmlToJson.MAX_DEPTH + " deep");
  }

  @Test
  void refusesExternalEntitiesWithoutReadingThem() throws Exception {
    HttpResponse<String> local = gw.get("/res/xxe");
    assertThat(local.statusCode()).isEqualTo(502);
    assertThat(local.body()).contains("DOCTYPE").doesNotContain("root:");
    HttpResponse<String> remote = gw.get("/res/xxe-remote");
    assertThat(remote.statusCode()).isEqualTo(502);
    assertThat(remote.body()).contains("DOCTYPE");
    assertThat(dtdFetches).hasValue(0);
  }

  @Test
  void refusesEntityExpansionBombs() throws Exception {
    HttpResponse<String> r = gw.get("/res/laughs");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-body-invalid").contains("DOCTYPE");
    assertThat(r.body()).doesNotContain("lollol");
    assertThat(gw.get("/res/order").statusCode()).isEqualTo(200);
  }

  @Test
  void leavesALocalXmlReplyAsItIs() throws Exception {
    HttpResponse<String> r = gw.get("/mocked/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/xml");
    assertThat(r.body()).isEqualTo("<a>1</a>");
  }

  @Test
  void handsTheJsonToTheBodyStepsOfLaterPlugins() throws Exception {
    HttpResponse<String> plain = gw.get("/chain/secret");
    assertThat(plain.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(plain.body()).isEqualTo("{\"data\":{\"r\":{\"id\":\"1\"}}}");
    HttpResponse<byte[]> gzipped =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/chain/secret"))
                    .header("Accept-Encoding", "gzip")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(gzipped.headers().firstValue("content-encoding")).hasValue("gzip");
    try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("{\"data\":{\"r\":{\"id\":\"1\"}}}");
    }
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

  private static io.netty.handler.codec.http.FullHttpResponse xml(String doc) {
    return full(200, bytes(doc), "content-type", "application/xml");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] data) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
