package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code json-xml} responses over real sockets: the scripted origin's XML converted to JSON, and
 * hostile or oversize XML refused without reading anything outside the document.
 */
class JsonXmlResponsesEndToEndTest extends JsonXmlGateway {

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
}
