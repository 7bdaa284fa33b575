package io.portico.admin;

import static io.portico.admin.AdminHandler.json;
import static io.portico.admin.AdminHandler.problem;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.config.ConfigParser;
import io.portico.config.JsonErrors;
import io.portico.snapshot.Snapshot;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.store.Change;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectLayer;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The config objects over HTTP: {@code /services}, {@code /routes}, {@code /consumers}, {@code
 * /plugins} (list, create) and {@code /{kind}/{name}} (read, replace, merge-patch, delete). It also
 * dispatches the history ({@code /config/versions}, {@code /config/diff}, rollback and {@code
 * /audit}) to {@link HistoryEndpoints} and the batch write {@code POST /config/changes} to {@link
 * ChangesEndpoint}, which share its body parsing, preconditions and answers.
 *
 * <p>Reads run on the event loop from the active snapshot. Writes are turned into an {@link
 * ObjectWrite} here (the JSON body checked for syntax and shape, {@code If-Match} into
 * preconditions) and {@link AdminApi#write} runs on the admin thread; the config parser validates
 * the result exactly as it validates the file. An object's ETag is {@link ObjectJson#etag} of its
 * effective form; a collection's is the config version.
 */
final class ObjectEndpoints {

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES,
              false)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A request answered now, or a write to run on the admin thread. */
  sealed interface Outcome {
    record Now(FullHttpResponse response) implements Outcome {}

    record Later(Write write) implements Outcome {}
  }

  /** A write to run off the event loop. */
  interface Write {
    FullHttpResponse run(AdminApi api) throws IOException;
  }

  private ObjectEndpoints() {}

  /** Whether {@code path} is one of these endpoints. */
  static boolean handles(String path) {
    String first = segments(path).isEmpty() ? "" : segments(path).get(0);
    return ObjectKind.ofSection(first) != null
        || path.equals("/audit")
        || path.startsWith("/config/versions")
        || path.equals("/config/diff")
        || path.equals("/config/changes");
  }

  static Outcome handle(FullHttpRequest req, AdminApi api, AdminAuth.Caller caller)
      throws IOException {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    List<String> seg = segments(q.path());
    HttpMethod method = req.method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (!read && !caller.canWrite()) {
      return now(problem(HttpResponseStatus.FORBIDDEN, "admin-forbidden", caller.readOnly()));
    }
    String path = q.path();
    Boolean dry = read ? Boolean.FALSE : DryRun.requested(q);
    if (dry == null) {
      return now(DryRun.badParameter(q));
    }
    if (path.equals("/audit")) {
      return read ? now(HistoryEndpoints.audit(api, q)) : now(AdminHandler.methodNotAllowed("GET"));
    }
    if (path.equals("/config/diff")) {
      return read
          ? now(HistoryEndpoints.diff(api, q, caller))
          : now(AdminHandler.methodNotAllowed("GET"));
    }
    if (path.equals("/config/versions")) {
      return read ? now(HistoryEndpoints.versions(api)) : now(AdminHandler.methodNotAllowed("GET"));
    }
    if (path.equals("/config/changes")) {
      return method == HttpMethod.POST
          ? ChangesEndpoint.batch(req, caller, dry)
          : now(AdminHandler.methodNotAllowed("POST"));
    }
    if (seg.size() == 4 && seg.get(0).equals("config") && seg.get(3).equals("rollback")) {
      return method == HttpMethod.POST
          ? HistoryEndpoints.rollback(req, seg.get(2), caller)
          : now(AdminHandler.methodNotAllowed("POST"));
    }
    ObjectKind kind = seg.isEmpty() ? null : ObjectKind.ofSection(seg.get(0));
    if (kind == null || seg.size() > 2) {
      return now(notFound(path));
    }
    if (seg.size() == 1) {
      if (read) {
        ListQuery.Parsed parsed = ListQuery.parse(q);
        return now(
            parsed instanceof ListQuery.Parsed.Ok ok
                ? list(api, kind, caller, ok.query())
                : ((ListQuery.Parsed.Bad) parsed).response());
      }
      if (method != HttpMethod.POST) {
        return now(AdminHandler.methodNotAllowed("GET, POST"));
      }
      return create(req, kind, caller, dry);
    }
    ObjectKey key = new ObjectKey(kind, seg.get(1));
    if (read) {
      return now(get(api, key, caller));
    }
    if (method == HttpMethod.PUT) {
      return replace(req, key, caller, dry);
    }
    if (method == HttpMethod.PATCH) {
      return patch(req, key, caller, dry);
    }
    if (method == HttpMethod.DELETE) {
      List<Precondition> pre = new ArrayList<>(itemPreconditions(req, key));
      pre.add(Precondition.exists(key));
      ObjectWrite w =
          new ObjectWrite(
              caller.name(), "DELETE " + key.resource(), List.of(Change.delete(key)), pre);
      return submit(w, null, dry);
    }
    return now(AdminHandler.methodNotAllowed("GET, PUT, PATCH, DELETE"));
  }

  // ---- reads

  private static FullHttpResponse list(
      AdminApi api, ObjectKind kind, AdminAuth.Caller caller, ListQuery query) throws IOException {
    Snapshot s = api.snapshot();
    ObjectLayer layer = api.layer();
    List<Map.Entry<ObjectKey, ConfigNode>> ofKind = new ArrayList<>();
    for (Map.Entry<ObjectKey, ConfigNode> e :
        LayeredConfig.objects(s.config().source()).entrySet()) {
      if (e.getKey().kind() == kind) {
        ofKind.add(e);
      }
    }
    ListQuery.Page<Map.Entry<ObjectKey, ConfigNode>> page =
        query.page(ofKind, e -> List.of(e.getKey().name()));
    StringWriter w = new StringWriter();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("version", s.version());
      g.writeNumberField("total", page.total());
      g.writeArrayFieldStart(kind.section());
      for (Map.Entry<ObjectKey, ConfigNode> e : page.items()) {
        writeItem(g, e.getKey(), e.getValue(), layer, caller);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    FullHttpResponse r = json(HttpResponseStatus.OK, w.toString());
    r.headers().set(HttpHeaderNames.ETAG, quote(s.version()));
    return r;
  }

  /** One object of a listing: name, source ({@code file} or {@code api}), ETag and the object. */
  static void writeItem(
      JsonGenerator g, ObjectKey key, ConfigNode node, ObjectLayer layer, AdminAuth.Caller caller)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", key.name());
    g.writeStringField("source", layer.objects().containsKey(key) ? "api" : "file");
    g.writeStringField("etag", ObjectJson.etag(node));
    g.writeFieldName("object");
    writeObject(g, node, caller);
    g.writeEndObject();
  }

  /**
   * An object in full for a read-write caller, with secrets redacted for a read-only one; an AI
   * provider's {@code api-key} only masked, for both.
   */
  private static void writeObject(JsonGenerator g, ConfigNode node, AdminAuth.Caller caller)
      throws IOException {
    if (caller.canWrite()) {
      ConfigEndpoint.writeMasked(g, node);
    } else {
      ConfigEndpoint.writeRedacted(g, node, false);
    }
  }

  private static FullHttpResponse get(AdminApi api, ObjectKey key, AdminAuth.Caller caller)
      throws IOException {
    ConfigNode node = LayeredConfig.objects(api.snapshot().config().source()).get(key);
    if (node == null) {
      return notFound(key.resource());
    }
    StringWriter w = new StringWriter();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
      writeObject(g, node, caller);
    }
    FullHttpResponse r = json(HttpResponseStatus.OK, w.toString());
    r.headers().set(HttpHeaderNames.ETAG, quote(ObjectJson.etag(node)));
    r.headers().set("Portico-Source", api.layer().objects().containsKey(key) ? "api" : "file");
    return r;
  }

  // ---- writes

  private static Outcome create(
      FullHttpRequest req, ObjectKind kind, AdminAuth.Caller caller, boolean dry) {
    JsonNode body;
    try {
      body = body(req);
    } catch (BadBody e) {
      return now(e.response);
    }
    JsonNode nameNode = body.get("name");
    if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isEmpty()) {
      return now(invalid(kind.section(), "$.name", "a name is required (expected: a string)"));
    }
    ObjectKey key = new ObjectKey(kind, nameNode.asText());
    JsonNode object = body;
    if (!kind.listed()) {
      object = body.path("config");
      if (!object.isObject()) {
        return now(
            invalid(key.resource(), "$.config", "the plugin's config (expected: an object)"));
      }
    }
    List<Precondition> pre = new ArrayList<>(configPrecondition(req));
    pre.add(Precondition.absent(key));
    return put(key, (ObjectNode) object, "POST /" + kind.section(), caller, pre, dry);
  }

  private static Outcome replace(
      FullHttpRequest req, ObjectKey key, AdminAuth.Caller caller, boolean dry) {
    JsonNode body;
    try {
      body = body(req);
    } catch (BadBody e) {
      return now(e.response);
    }
    return put(
        key, (ObjectNode) body, "PUT " + key.resource(), caller, itemPreconditions(req, key), dry);
  }

  /** {@code PATCH}: a JSON merge patch (RFC 7396) over the object's effective form. */
  private static Outcome patch(
      FullHttpRequest req, ObjectKey key, AdminAuth.Caller caller, boolean dry) {
    JsonNode patch;
    try {
      patch = body(req);
    } catch (BadBody e) {
      return now(e.response);
    }
    List<Precondition> pre = itemPreconditions(req, key);
    return new Outcome.Later(
        api -> {
          ConfigNode current = LayeredConfig.objects(api.snapshot().config().source()).get(key);
          if (current == null) {
            return notFound(key.resource());
          }
          JsonNode merged = mergePatch(MAPPER.readTree(ObjectJson.write(current)), patch);
          List<Precondition> all = new ArrayList<>(pre);
          all.add(Precondition.etag(key, ObjectJson.etag(current)));
          Outcome o = put(key, (ObjectNode) merged, "PATCH " + key.resource(), caller, all, dry);
          return o instanceof Outcome.Later later
              ? later.write().run(api)
              : ((Outcome.Now) o).response();
        });
  }

  /** The write to run on the admin thread: applied, or with {@code dry} only checked. */
  private static Outcome submit(ObjectWrite w, @Nullable ObjectKey key, boolean dry) {
    return new Outcome.Later(a -> dry ? DryRun.answer(a, w) : result(a.write(w), key));
  }

  private static Outcome put(
      ObjectKey key,
      ObjectNode object,
      String action,
      AdminAuth.Caller caller,
      List<Precondition> pre,
      boolean dry) {
    String json;
    try {
      json = storable(key, object);
    } catch (BadBody e) {
      return now(e.response);
    }
    return new Outcome.Later(
        a -> {
          ObjectWrite w =
              new ObjectWrite(
                  caller.name(), action, List.of(Change.put(key, keepKey(a, key, json))), pre);
          return dry ? DryRun.answer(a, w) : result(a.write(w), key);
        });
  }

  /**
   * An AI provider whose {@code api-key} is the masked form of the key it has now (what every read
   * shows) keeps that key: a form sent back unchanged does not erase it.
   */
  static String keepKey(AdminApi api, ObjectKey key, String json) throws IOException {
    if (key.kind() != ObjectKind.AI_PROVIDERS) {
      return json;
    }
    JsonNode sent = MAPPER.readTree(json);
    JsonNode given = sent.get("api-key");
    if (given == null || !given.isTextual() || !given.asText().startsWith("\u2026")) {
      return json;
    }
    ConfigNode current = LayeredConfig.objects(api.snapshot().config().source()).get(key);
    ConfigNode stored = current == null ? null : current.fields().get("api-key");
    if (stored == null
        || !stored.isScalar()
        || !io.portico.config.AiConfig.Key.masked(stored.scalarText()).equals(given.asText())) {
      return json;
    }
    ((ObjectNode) sent).put("api-key", stored.scalarText());
    return write(sent);
  }

  /**
   * The object as stored: a named kind's {@code name} first, equal to the name in the path when
   * given.
   */
  static String storable(ObjectKey key, ObjectNode object) throws BadBody {
    if (!key.kind().listed()) {
      return write(object);
    }
    JsonNode name = object.get("name");
    if (name != null && !(name.isTextual() && name.asText().equals(key.name()))) {
      throw new BadBody(
          invalid(
              key.resource(),
              "$.name",
              name + " (expected: \"" + key.name() + "\", the name in the path, or no name)"));
    }
    ObjectNode named = MAPPER.createObjectNode();
    named.put("name", key.name());
    object
        .properties()
        .forEach(
            e -> {
              if (!e.getKey().equals("name")) {
                named.set(e.getKey(), e.getValue());
              }
            });
    return write(named);
  }

  private static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // not reached: a tree always writes
    }
  }

  /** The answer to a write: 200/201 with the new version, or why nothing changed. */
  static FullHttpResponse result(WriteResult result, @Nullable ObjectKey key) throws IOException {
    if (result instanceof WriteResult.Applied a) {
      ObjectNode out = MAPPER.createObjectNode();
      out.put("applied", true);
      out.put("version", a.version());
      out.put("config_version", a.configVersion());
      FullHttpResponse r = json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
      r.headers().set("Portico-Config-Version", a.configVersion());
      if (key != null) {
        r.headers().set(HttpHeaderNames.LOCATION, key.resource());
      }
      return r;
    }
    if (result instanceof WriteResult.Rejected rejected) {
      return invalid(rejected.problems());
    }
    if (!(result instanceof WriteResult.Failed f)) {
      throw new IllegalStateException("a dry run's answer to a write: " + result);
    }
    return problem(HttpResponseStatus.valueOf(f.status()), f.type(), f.detail());
  }

  /**
   * 400 with every problem (at most {@link ConfigParser#MAX_LISTED}, and one that counts the rest):
   * its source, JSON path, line, column and message.
   */
  static FullHttpResponse invalid(Problems problems) throws IOException {
    return invalid(ConfigParser.listed(problems), problems.size());
  }

  static FullHttpResponse invalid(List<Problem> problems) throws IOException {
    return invalid(ConfigParser.listed(problems), problems.size());
  }

  private static FullHttpResponse invalid(List<Problem> listed, int total) throws IOException {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("type", "https://portico.dev/problems/admin-invalid-config");
    out.put("title", "Bad Request");
    out.put("status", 400);
    out.put(
        "detail",
        "The config this write makes has "
            + total
            + " problem"
            + (total == 1 ? "" : "s")
            + "; nothing changed.");
    var list = out.putArray("problems");
    for (Problem p : listed) {
      ObjectNode o = list.addObject();
      o.put("source", p.location().source());
      o.put("path", p.path());
      o.put("line", p.location().line());
      o.put("column", p.location().column());
      o.put("message", p.message());
    }
    FullHttpResponse r = json(HttpResponseStatus.BAD_REQUEST, MAPPER.writeValueAsString(out));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
    return r;
  }

  static FullHttpResponse invalid(String source, String path, String message) {
    try {
      return invalid(
          List.of(new Problem(new io.portico.spi.config.Location(source, 1, 1), path, message)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request body that is not one JSON object. */
  static final class BadBody extends Exception {
    private static final long serialVersionUID = 1L;
    final transient FullHttpResponse response;

    BadBody(FullHttpResponse response) {
      super(null, null, false, false);
      this.response = response;
    }
  }

  static JsonNode body(FullHttpRequest req) throws BadBody {
    String text = req.content().toString(StandardCharsets.UTF_8);
    JsonNode body;
    try {
      body = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new BadBody(
          invalidAt(
              loc == null ? 1 : loc.getLineNr(),
              loc == null ? 1 : loc.getColumnNr(),
              "invalid JSON (expected: a JSON object): " + JsonErrors.message(e)));
    }
    if (body == null || !body.isObject()) {
      throw new BadBody(invalidAt(1, 1, "the body (expected: a JSON object)"));
    }
    return body;
  }

  private static FullHttpResponse invalidAt(int line, int column, String message) {
    try {
      return invalid(
          List.of(
              new Problem(
                  new io.portico.spi.config.Location("request body", line, column), "$", message)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode out =
        target.isObject() ? ((ObjectNode) target).deepCopy() : MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.path(e.getKey()), e.getValue()));
      }
    }
    return out;
  }

  // ---- preconditions and helpers

  /**
   * {@code If-Match} and {@code If-None-Match} of a write to one object (RFC 9110 13.1.1, 13.1.2).
   * {@code If-Match} compares strongly: a weak tag ({@code W/"..."}) matches nothing, so it fails
   * with 412 rather than pass as the tag it wraps. {@code If-None-Match: *} writes only when the
   * object does not exist (a create that never overwrites), and with a tag only when the object's
   * ETag is another; either fails with 412 instead of being ignored.
   */
  private static List<Precondition> itemPreconditions(FullHttpRequest req, ObjectKey key) {
    List<Precondition> out = new ArrayList<>(2);
    String ifMatch = req.headers().get(HttpHeaderNames.IF_MATCH);
    if (ifMatch != null) {
      String tag = ifMatch.trim().startsWith("W/") ? ifMatch.trim() : unquote(ifMatch);
      out.add(tag.equals("*") ? Precondition.exists(key) : Precondition.etag(key, tag));
    }
    String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      String tag = unquote(ifNoneMatch);
      out.add(Precondition.noneMatch(key, tag.equals("*") ? null : tag));
    }
    return out;
  }

  static List<Precondition> configPrecondition(FullHttpRequest req) {
    String ifMatch = req.headers().get(HttpHeaderNames.IF_MATCH);
    if (ifMatch == null || unquote(ifMatch).equals("*")) {
      return List.of();
    }
    return List.of(Precondition.configVersion(unquote(ifMatch)));
  }

  private static String unquote(String tag) {
    String t = tag.trim();
    if (t.startsWith("W/")) {
      t = t.substring(2);
    }
    return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
        ? t.substring(1, t.length() - 1)
        : t;
  }

  private static String quote(String tag) {
    return "\"" + tag + "\"";
  }

  static FullHttpResponse notFound(String resource) {
    return problem(HttpResponseStatus.NOT_FOUND, "admin-not-found", "No " + resource + ".");
  }

  static Outcome now(FullHttpResponse r) {
    return new Outcome.Now(r);
  }

  static String param(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? "" : v.get(0);
  }

  /** A positive decimal number, or -1. */
  static long number(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(text);
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
