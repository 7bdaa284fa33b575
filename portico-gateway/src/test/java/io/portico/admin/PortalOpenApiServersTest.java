package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The servers of a published OpenAPI document as the portal's viewer gets them: the gateway is the
 * only one, wherever the document named others (see {@code PortalTryItServersBrowserTest} for the
 * browser's side).
 */
class PortalOpenApiServersTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode doc(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void keepsOnlyTheGatewayAsTheServerOfEveryPathOperationAndCallback() throws Exception {
    ObjectNode d =
        doc(
            """
            {"openapi":"3.1.0","info":{"title":"t","version":"1"},
             "servers":[{"url":"https://evil.test"}],
             "paths":{"/a":{"servers":[{"url":"https://evil.test/p"}],
               "parameters":[],
               "get":{"servers":[{"url":"https://evil.test/o"}],
                 "callbacks":{"cb":{"{$request.body#/url}":{"servers":[{"url":"https://evil.test/c"}],
                   "post":{"servers":[{"url":"https://evil.test/c2"}]}}}},
                 "responses":{"200":{"description":"ok","content":{"application/json":{"schema":
                   {"type":"object","properties":{"servers":{"type":"array"}}}}}}}}}},
             "webhooks":{"w":{"post":{"servers":[{"url":"https://evil.test/w"}]}}},
             "components":{"pathItems":{"p":{"servers":[{"url":"https://evil.test/pi"}]}},
               "callbacks":{"c":{"x":{"servers":[{"url":"https://evil.test/cc"}]}}}}}
            """);

    PortalOpenApi.pointAtGateway(d, "https://api.example.com");

    assertThat(d.toString()).doesNotContain("evil.test");
    assertThat(d.at("/servers").toString())
        .isEqualTo("[{\"url\":\"https://api.example.com\",\"description\":\"the gateway\"}]");
    // a schema property that happens to be named servers is the API's data, and stays
    assertThat(
            d.at("/paths/~1a/get/responses/200/content/application~1json/schema/properties/servers")
                .isObject())
        .isTrue();
  }

  @Test
  void withoutAGatewayUrlTheDocumentNamesNoServer() throws Exception {
    ObjectNode d =
        doc(
            """
            {"openapi":"3.0.3","info":{"title":"t","version":"1"},
             "servers":[{"url":"https://evil.test"}],"paths":{}}
            """);

    PortalOpenApi.pointAtGateway(d, null);

    assertThat(d.has("servers")).isFalse();
  }

  @Test
  void aSwaggerDocumentGetsTheGatewaysHostAndSchemeOrNone() throws Exception {
    String swagger =
        """
        {"swagger":"2.0","info":{"title":"t","version":"1"},"host":"evil.test",
         "schemes":["http","https"],"basePath":"/v1","paths":{}}
        """;
    ObjectNode pointed = doc(swagger);
    PortalOpenApi.pointAtGateway(pointed, "https://api.example.com:8443");
    assertThat(pointed.get("host").asText()).isEqualTo("api.example.com:8443");
    assertThat(pointed.get("schemes").toString()).isEqualTo("[\"https\"]");

    ObjectNode bare = doc(swagger);
    PortalOpenApi.pointAtGateway(bare, null);
    assertThat(bare.has("host")).isFalse();
    assertThat(bare.has("schemes")).isFalse();
  }
}
