package io.portico.plugins.transform;

import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.RawClient;
import io.portico.testing.ScriptedOrigin;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code response-transformer} over real sockets, HTTP/1.1 and HTTP/2 clients: JSON allow and deny
 * lists with nested paths and array wildcards, rename, typed set, wrap and unwrap, status mapping,
 * header edits, the rules' statuses and content types, malformed and oversize bodies both ways,
 * encoded bodies, a client leaving mid-body, and config errors with their positions.
 */
class ResponseTransformerEndToEndTest {

  static final String DOC =
      """
      {"id":1,"password":"p","user":{"name":"ann","token":"t"},\
      "items":[{"id":1,"secret":"s"},{"id":2,"secret":"s2","x":[1,2]}],"data":{"k":"v"}}""";

  private static ScriptedOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    byte[] doc = DOC.getBytes(StandardCharsets.UTF_8);
    origin =
        ScriptedOrigin.start()
            .on("/doc", (ctx, req) -> ctx.writeAndFlush(json(200, doc)))
            .on("/error", (ctx, req) -> ctx.writeAndFlush(json(500, doc)))
            .on("/missing", (ctx, req) -> ctx.writeAndFlush(json(404, doc)))
            .on(
                "/text",
                (ctx, req) -> ctx.writeAndFlush(full(200, doc, "content-type", "text/plain")))
            .on(
                "/problem",
                (ctx, req) ->
                    ctx.writeAndFlush(full(200, doc, "content-type", "application/problem+json")))
            .on("/broken", (ctx, req) -> ctx.writeAndFlush(json(200, bytes("{\"id\": 1,, }"))))
            .on(
                "/big",
                (ctx, req) -> ctx.writeAndFlush(json(200, bytes("[" + "1,".repeat(3000) + "1]"))))
            .on(
                "/gzip",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            gzip(doc),
                            "content-type",
                            "application/json",
                            "content-encoding",
                            "gzip")))
            .on(
                "/gzip-twice",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            gzip(gzip(doc)),
                            "content-type",
                            "application/json",
                            "content-encoding",
                            "gzip",
                            "content-encoding",
                            "gzip")))
            .on(
                "/headers",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            doc,
                            "content-type",
                            "application/json",
                            "x-old",
                            "a",
                            "x-secret",
                            "s",
                            "server",
                            "origin")));
    String route =
        """
          - name: %1$s
            paths: [ /%1$s/ ]
            service: backend
            strip-prefix: true
            plugins:
              response-transformer: %2$s
        """;
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
            """
                    .formatted(origin.authority())
                + route.formatted(
                    "edit",
                    """
                    {
                              when: { statuses: [ 200 ] },
                              json: {
                                deny: [ password, user.token, "items[*].secret" ],
                                rename: { user.name: fullName, "items[*].x": xs },
                                set: { source: "portico", version: 2, ok: true, user.tier: gold }
                              }
                            }""")
                + route.formatted(
                    "allow", "{ json: { allow: [ id, \"items[*].id\" ], wrap: result } }")
                + route.formatted("unwrap", "{ json: { unwrap: data } }")
                + route.formatted(
                    "status",
                    "{ status: { 404: 200, 500: 503 }, when: { statuses: [ 404 ] },"
                        + " json: { deny: [ id ] } }")
                + route.formatted(
                    "headers",
                    "{ headers: { rename: { x-old: x-new }, remove: [ x-secret ],"
                        + " set: { server: portico }, add: { x-route: \"${route}\" } } }")
                + route.formatted("strict", "{ json: { deny: [ id ] } }")
                + route.formatted("lenient", "{ json: { deny: [ id ] }, on-malformed: pass }")
                + route.formatted(
                    "capped", "{ json: { deny: [ id ] }, max-body-size: 1k, on-too-large: error }")
                + route.formatted(
                    "passing", "{ json: { deny: [ id ] }, max-body-size: 1k, on-too-large: pass }")
                + route.formatted(
                    "rules",
                    """
                    {
                              rules: [
                                { when: { statuses: [ 200 ] }, json: { allow: [ id, user.name ] },
                                  headers: { set: { X-Rule: ok } } },
                                { when: { statuses: [ 200 ] }, json: { wrap: data } },
                                { when: { statuses: [ 500 ] }, json: { allow: [ password ] },
                                  headers: { set: { X-Rule: error } } },
                                { when: { content-types: [ "+problem+json", application/problem+json ] },
                                  headers: { set: { X-Rule: problem } }, json: { deny: [ password ] } },
                                { when: { content-types: [ text/plain ] }, headers: { set: { X-Rule: text } } }
                              ]
                            }"""));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  @Test
  void deniesRenamesAndSetsFieldsStreamingWithNestedPathsAndArrayWildcards() throws Exception {
    HttpResponse<String> r = gw.get("/edit/doc");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"id\":1,\"user\":{\"fullName\":\"ann\",\"tier\":\"gold\"},"
                + "\"items\":[{\"id\":1},{\"id\":2,\"xs\":[1,2]}],\"data\":{\"k\":\"v\"},"
                + "\"source\":\"portico\",\"version\":2,\"ok\":true}");
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(r.body().length()));
  }

  @Test
  void keepsOnlyTheAllowedFieldsAndWrapsThemInAnEnvelope() throws Exception {
    assertThat(gw.get("/allow/doc").body())
        .isEqualTo("{\"result\":{\"id\":1,\"items\":[{\"id\":1},{\"id\":2}]}}");
  }

  @Test
  void takesOneMemberAsTheBody() throws Exception {
    assertThat(gw.get("/unwrap/doc").body()).isEqualTo("{\"k\":\"v\"}");
  }

  @Test
  void appliesTheRulesOnlyToTheirStatusesAndContentTypes() throws Exception {
    assertThat(gw.get("/edit/error").body()).isEqualTo(DOC);
    assertThat(gw.get("/edit/text").body()).isEqualTo(DOC);
    assertThat(gw.get("/strict/problem").body()).startsWith("{\"password\"");
  }

  @Test
  void appliesEachRuleInOrderWhereItsStatusesAndContentTypesMatch() throws Exception {
    HttpResponse<String> ok = gw.get("/rules/doc");
    // Both 200 rules, one after the other: the allow list, then the envelope.
    assertThat(ok.body()).isEqualTo("{\"data\":{\"id\":1,\"user\":{\"name\":\"ann\"}}}");
    assertThat(ok.headers().firstValue("x-rule")).hasValue("ok");
    HttpResponse<String> error = gw.get("/rules/error");
    assertThat(error.statusCode()).isEqualTo(500);
    assertThat(error.body()).isEqualTo("{\"password\":\"p\"}");
    assertThat(error.headers().firstValue("x-rule")).hasValue("error");
    HttpResponse<String> problem = gw.get("/rules/problem");
    // A 200 problem document matches the 200 rules and its own: all three apply, in order.
    assertThat(problem.body()).isEqualTo("{\"data\":{\"id\":1,\"user\":{\"name\":\"ann\"}}}");
    assertThat(problem.headers().firstValue("x-rule")).hasValue("problem");
    HttpResponse<String> text = gw.get("/rules/text");
    assertThat(text.body()).isEqualTo(DOC);
    assertThat(text.headers().firstValue("x-rule")).hasValue("text");
  }

  @Test
  void mapsTheUpstreamsStatus() throws Exception {
    HttpResponse<String> missing = gw.get("/status/missing");
    assertThat(missing.statusCode()).isEqualTo(200);
    assertThat(missing.body()).startsWith("{\"password\"");
    HttpResponse<String> error = gw.get("/status/error");
    assertThat(error.statusCode()).isEqualTo(503);
    assertThat(error.body()).isEqualTo(DOC);
  }

  @Test
  void renamesRemovesSetsAndAddsHeaders() throws Exception {
    HttpResponse<String> r = gw.get("/headers/headers");
    assertThat(r.headers().firstValue("x-new")).hasValue("a");
    assertThat(r.headers().firstValue("x-old")).isEmpty();
    assertThat(r.headers().firstValue("x-secret")).isEmpty();
    assertThat(r.headers().firstValue("server")).hasValue("portico");
    assertThat(r.headers().firstValue("x-route")).hasValue("headers");
    assertThat(r.body()).isEqualTo(DOC);
  }

  @Test
  void answersMalformedJsonWith502OrPassesItAsConfigured() throws Exception {
    HttpResponse<String> strict = gw.get("/strict/broken");
    assertThat(strict.statusCode()).isEqualTo(502);
    assertThat(strict.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(strict.body()).contains("upstream-body-invalid").contains("offset 9");
    HttpResponse<String> lenient = gw.get("/lenient/broken");
    assertThat(lenient.statusCode()).isEqualTo(200);
    assertThat(lenient.body()).isEqualTo("{\"id\": 1,, }");
  }

  @Test
  void answersAnOversizeBodyWith502OrPassesItUntransformedAsConfigured() throws Exception {
    HttpResponse<String> capped = gw.get("/capped/big");
    assertThat(capped.statusCode()).isEqualTo(502);
    assertThat(capped.body()).contains("upstream-response-too-large");
    HttpResponse<String> passing = gw.get("/passing/big");
    assertThat(passing.statusCode()).isEqualTo(200);
    assertThat(passing.body()).isEqualTo("[" + "1,".repeat(3000) + "1]");
  }

  @Test
  void rewritesAGzipBodyAndSendsItDecoded() throws Exception {
    HttpResponse<String> r = gw.get("/strict/gzip");
    assertThat(r.headers().firstValue("content-encoding")).isEmpty();
    assertThat(r.body()).startsWith("{\"password\":\"p\"");
  }

  @Test
  void leavesABodyEncodedTwiceInTwoHeaderLinesAsItCame() throws Exception {
    HttpResponse<byte[]> r =
        gw.client()
            .send(
                java.net.http.HttpRequest.newBuilder(gw.uri("/strict/gzip-twice")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().allValues("content-encoding")).containsExactly("gzip", "gzip");
    assertThat(r.body()).isEqualTo(gzip(gzip(DOC.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void rewritesForHttp2Clients() throws Exception {
    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response r = h2.get("/allow/doc", "x");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"result\":{\"id\":1,\"items\":[{\"id\":1},{\"id\":2}]}}");
      assertThat(h2.get("/strict/broken", "x").status()).isEqualTo(502);
    }
  }

  @Test
  void aClientLeavingBeforeTheBodyReleasesWhatWasHeld() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("GET /edit/doc HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    assertThat(gw.get("/edit/doc").statusCode()).isEqualTo(200);
  }

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
              response-transformer:
                status: { 99: 200 }
                when: { statuses: [ abc ] }
                json:
                  deny: [ "items[" ]
                  set: { a: [ 1 ] }
                on-malformed: sometimes
        """;
    ConfigResult result =
        ConfigFiles.parse(
            yaml,
            "portico.yaml",
            Path.of("."),
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.problems().list().stream().map(Object::toString))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:10:").contains("99"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:11:").contains("abc"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:13:").contains("items["))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:14:").contains("set.a"))
        .anySatisfy(p -> assertThat(p).startsWith("portico.yaml:15:").contains("sometimes"));
  }

  private static io.netty.handler.codec.http.FullHttpResponse json(int status, byte[] body) {
    return full(status, body, "content-type", "application/json");
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
