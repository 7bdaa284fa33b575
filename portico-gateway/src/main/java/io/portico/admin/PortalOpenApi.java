package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.portal.Portal;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAPI documents of published APIs: checked when an operator publishes one ({@code
 * openapi_document} in {@code PUT /portal/api/apis/{route}}), and served to the portal's viewer at
 * {@code GET /portal/api/apis/{route}/openapi} with {@code servers} set to the gateway's public
 * URL, so that the try-it panel calls the API through the gateway. Called off the event loop.
 */
final class PortalOpenApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PortalOpenApi() {}

  /**
   * The document to keep from a publish body's {@code openapi_document}: null when absent; a
   * problem's detail (prefixed {@code !}) when it is not an OpenAPI 3 document.
   */
  static @Nullable String check(JsonNode body) {
    JsonNode d = body.get("openapi_document");
    if (d == null || d.isNull()) {
      return null;
    }
    if (!d.isObject()
        || !d.path("openapi").asText("").startsWith("3.")
        || !d.path("paths").isObject()) {
      return "!openapi_document: (expected: an OpenAPI 3 document as a JSON object, with openapi"
          + " and paths)";
    }
    return d.toString();
  }

  /** {@code GET /portal/api/apis/{route}/openapi}. */
  static FullHttpResponse serve(Portal portal, String route, AdminApi api) throws IOException {
    Optional<byte[]> kept = portal.openApi(route);
    if (kept.isEmpty()) {
      return AdminHandler.problem(
          HttpResponseStatus.NOT_FOUND,
          "portal-not-found",
          "No OpenAPI document is published for " + route + ".");
    }
    JsonNode doc = JSON.readTree(kept.get());
    if (doc instanceof ObjectNode o) {
      String gatewayUrl = api.gatewayUrl();
      if (gatewayUrl != null) {
        o.putArray("servers").addObject().put("url", gatewayUrl).put("description", "the gateway");
      }
    }
    return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(doc));
  }
}
