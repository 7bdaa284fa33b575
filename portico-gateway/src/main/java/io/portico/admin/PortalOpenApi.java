package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.portal.Portal;
import io.portico.spi.plugin.StatusReasons;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAPI documents of published APIs: checked when an operator publishes one ({@code
 * openapi_document} in {@code PUT /portal/api/apis/{route}}: a JSON object, or a string holding the
 * document as YAML or JSON; an OpenAPI 3.x or Swagger 2.0 document), kept as JSON, and served to
 * the portal's viewer at {@code GET /portal/api/apis/{route}/openapi} pointing at the gateway's
 * public URL ({@code servers} for OpenAPI 3, {@code host} and {@code schemes} for Swagger 2.0), so
 * that the try-it panel calls the API through the gateway. Called off the event loop.
 */
final class PortalOpenApi {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory JSON_TEXT =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private PortalOpenApi() {}

  /**
   * A checked document (as JSON text), or the problems that refuse it, one per line; or, for a
   * document whose shape is right, the external references that refuse it ({@link OpenApiRefs}).
   */
  record Checked(
      @Nullable String json, List<String> problems, List<OpenApiRefs.External> externalRefs) {

    Checked(@Nullable String json, List<String> problems) {
      this(json, problems, List.of());
    }
  }

  /**
   * The document to keep from a publish body's {@code openapi_document}: null when absent; else the
   * document as JSON, or its problems (with the line they are on when it was given as text).
   */
  static @Nullable Checked check(JsonNode body) {
    JsonNode d = body.get("openapi_document");
    if (d == null || d.isNull()) {
      return null;
    }
    if (d.isTextual()) {
      return parse(d.asText());
    }
    if (!d.isObject()) {
      return refused(
          "openapi_document: (expected: an OpenAPI document, as a JSON object or as YAML or JSON"
              + " text)");
    }
    return validate((ObjectNode) d, Map.of());
  }

  /** Parses a document given as YAML or JSON text, remembering the line of each top-level key. */
  static Checked parse(String text) {
    boolean json = text.stripLeading().startsWith("{");
    Map<String, Integer> lines = new HashMap<>();
    JsonNode tree;
    try (JsonParser p =
        json ? JSON_TEXT.createParser(text) : YAML.getFactory().createParser(text)) {
      p.setCodec(json ? JSON : YAML);
      tree = readTopLevel(p, lines);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null || at.getLineNr() < 1 ? "" : "line " + at.getLineNr() + ": ";
      return refused(
          "openapi_document: "
              + where
              + (json ? "not valid JSON: " : "not valid YAML: ")
              + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      return refused("openapi_document: the text cannot be read");
    }
    if (!(tree instanceof ObjectNode o)) {
      return refused(
          "openapi_document: line 1: (expected: a mapping with openapi or swagger, info and"
              + " paths)");
    }
    return validate(o, lines);
  }

  private static @Nullable JsonNode readTopLevel(JsonParser p, Map<String, Integer> lines)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return p.currentToken() == null ? null : p.readValueAsTree();
    }
    ObjectNode o = JSON.createObjectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      lines.putIfAbsent(name, p.currentTokenLocation().getLineNr());
      p.nextToken();
      JsonNode value = p.readValueAsTree();
      o.set(name, value == null ? JSON.nullNode() : value);
    }
    if (p.nextToken() != null) {
      throw new JsonProcessingException("more than one document", p.currentLocation()) {};
    }
    return o;
  }

  /** Checks the shape every viewer needs: the version, {@code info} and {@code paths}. */
  private static Checked validate(ObjectNode d, Map<String, Integer> lines) {
    List<String> problems = new ArrayList<>();
    JsonNode openapi = d.get("openapi");
    JsonNode swagger = d.get("swagger");
    if (openapi != null) {
      // YAML reads an unquoted 3.1 as a number: the version is kept as the string it stands for
      if ((openapi.isTextual() || openapi.isNumber())
          && openapi.asText().matches("3\\.[0-9]+(\\.[0-9]+)?")) {
        d.put("openapi", openapi.asText());
      } else {
        problems.add(
            at(lines, "openapi")
                + "openapi: "
                + openapi
                + " (expected: a 3.x version such as \"3.0.3\" or \"3.1.0\", as a string)");
      }
    } else if (swagger != null) {
      if ((swagger.isTextual() || swagger.isNumber()) && swagger.asText().equals("2.0")) {
        d.put("swagger", "2.0");
      } else {
        problems.add(
            at(lines, "swagger") + "swagger: " + swagger + " (expected: \"2.0\", as a string)");
      }
    } else {
      problems.add("openapi: (expected: openapi: 3.x, or swagger: \"2.0\")");
    }
    if (!d.path("info").isObject()) {
      problems.add(at(lines, "info") + "info: (expected: a mapping with title and version)");
    } else if (!d.path("info").path("title").isTextual()) {
      problems.add(at(lines, "info") + "info.title: (expected: a string)");
    }
    if (!d.path("paths").isObject()) {
      problems.add(at(lines, "paths") + "paths: (expected: a mapping of paths to operations)");
    }
    if (!problems.isEmpty()) {
      return new Checked(null, List.copyOf(problems));
    }
    List<OpenApiRefs.External> external = OpenApiRefs.external(d);
    if (!external.isEmpty()) {
      return new Checked(
          null, external.stream().map(OpenApiRefs.External::toString).toList(), external);
    }
    return new Checked(d.toString(), List.of());
  }

  private static String at(Map<String, Integer> lines, String key) {
    Integer line = lines.get(key);
    return line == null ? "" : "line " + line + ": ";
  }

  private static Checked refused(String problem) {
    return new Checked(null, List.of(problem));
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  /**
   * Makes the gateway the only server of {@code doc}: its {@code servers} (or Swagger 2.0 {@code
   * host} and {@code schemes}) become the gateway's URL, and the {@code servers} of every path item
   * and operation (callbacks and {@code components.pathItems} included) go, since the viewer would
   * send an operation's try-it call, with the developer's key, to them instead. Without a gateway
   * URL the document has no server, and the viewer calls the portal's own origin.
   */
  static void pointAtGateway(ObjectNode doc, @Nullable String gatewayUrl) {
    if (doc.has("swagger")) {
      doc.remove(List.of("host", "schemes"));
      if (gatewayUrl != null) {
        URI u = URI.create(gatewayUrl);
        doc.put("host", u.getRawAuthority());
        doc.putArray("schemes").add(u.getScheme());
      }
      return;
    }
    doc.remove("servers");
    if (gatewayUrl != null) {
      doc.putArray("servers").addObject().put("url", gatewayUrl).put("description", "the gateway");
    }
    dropPathServers(doc.get("paths"));
    dropPathServers(doc.get("webhooks"));
    dropPathServers(doc.path("components").get("pathItems"));
    JsonNode callbacks = doc.path("components").get("callbacks");
    if (callbacks != null && callbacks.isObject()) {
      callbacks.forEach(PortalOpenApi::dropPathServers);
    }
  }

  /** Removes the {@code servers} of each path item of {@code items} and of their operations. */
  private static void dropPathServers(@Nullable JsonNode items) {
    if (items == null || !items.isObject()) {
      return;
    }
    for (JsonNode item : items) {
      if (!(item instanceof ObjectNode pathItem)) {
        continue;
      }
      pathItem.remove("servers");
      for (JsonNode operation : pathItem) {
        if (operation instanceof ObjectNode op) {
          op.remove("servers");
          JsonNode callbacks = op.get("callbacks");
          if (callbacks != null && callbacks.isObject()) {
            callbacks.forEach(PortalOpenApi::dropPathServers);
          }
        }
      }
    }
  }

  /**
   * The {@code 422 portal-openapi-external-ref} of a document with external references: the detail
   * names the JSON Pointer of each, and {@code external_refs} lists them as {@code {pointer, ref}}.
   */
  static FullHttpResponse externalRefsRefused(List<OpenApiRefs.External> refs) {
    ObjectNode p = JSON.createObjectNode();
    p.put("type", "https://portico.dev/problems/portal-openapi-external-ref");
    p.put("title", StatusReasons.reason(422));
    p.put("status", 422);
    p.put(
        "detail",
        "openapi_document: "
            + refs.size()
            + (refs.size() == 1 ? " external reference" : " external references")
            + " (expected: a self-contained document, every $ref starting with #; bundle the"
            + " document first): "
            + String.join(", ", refs.stream().map(OpenApiRefs.External::toString).toList())
            + ".");
    ArrayNode list = p.putArray("external_refs");
    for (OpenApiRefs.External r : refs) {
      list.addObject().put("pointer", r.pointer()).put("ref", r.ref());
    }
    FullHttpResponse r = AdminHandler.json(HttpResponseStatus.UNPROCESSABLE_ENTITY, p.toString());
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
    return r;
  }

  /** {@code GET /portal/api/apis/{route}/openapi}. */
  static FullHttpResponse serve(Portal portal, String route, AdminApi api, boolean operator)
      throws IOException {
    Optional<byte[]> kept = portal.openApi(route, operator);
    if (kept.isEmpty()) {
      return AdminHandler.problem(
          HttpResponseStatus.NOT_FOUND,
          "portal-not-found",
          "No OpenAPI document is published for " + route + ".");
    }
    JsonNode doc = JSON.readTree(kept.get());
    if (doc instanceof ObjectNode o) {
      pointAtGateway(o, api.gatewayUrl());
      // a document kept before external references were refused: the viewer must not follow them
      OpenApiRefs.detach(o);
    }
    return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(doc));
  }
}
