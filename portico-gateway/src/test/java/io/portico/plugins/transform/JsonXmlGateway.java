package io.portico.plugins.transform;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.end;
import static io.portico.testing.ScriptedOrigin.full;

import io.netty.buffer.ByteBufUtil;
import io.portico.testing.GatewayFixture;
import io.portico.testing.ScriptedOrigin;
import io.portico.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@code json-xml} over real sockets. Requests: a recording origin ({@code /echo} answers the body
 * it received, every head is kept) shows the XML the gateway sent and its framing; malformed,
 * unconvertible and oversize bodies never reach it. Responses: a scripted origin answers XML (in
 * one piece, chunked, gzip, in another charset) and hostile XML (external entities, an external
 * DTD, entity expansion, deep nesting), which the gateway refuses with problems without reading
 * anything outside the document. The leak detector runs at paranoid and fails the class on a leak.
 *
 * <p>The gateway, its routes and both origins start once for each test class and are shared by its
 * tests.
 */
abstract class JsonXmlGateway {

  static final String ORDER_XML =
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

  static final String BILLION_LAUGHS =
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

  static TestOrigin recorder;
  static ScriptedOrigin origin;
  static GatewayFixture gw;
  static final AtomicInteger dtdFetches = new AtomicInteger();
  static final AtomicInteger soapCalls = new AtomicInteger();
  static final AtomicReference<String> ordersReceived = new AtomicReference<>();

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

  static HttpResponse<String> post(String uri, String type, String body) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(uri))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  static io.netty.handler.codec.http.FullHttpResponse xml(String doc) {
    return full(200, bytes(doc), "content-type", "application/xml");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
