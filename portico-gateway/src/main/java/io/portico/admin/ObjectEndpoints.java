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
import io.portico.snapshot.Snapshot;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problem;
import io.portico.store.AuditEntry;
import io.portico.store.Change;
import io.portico.store.ConfigStore;
import io.portico.store.ConfigVersion;
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
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The config objects over HTTP: {@code /services}, {@code /routes}, {@code /consumers}, {@code
 * /plugins} (list, create) and {@code /{kind}/{name}} (read, replace, merge-patch, delete), the
 * history ({@code /config/versions}, {@code /config/diff}, rollback), the batch write {@code POST
 * /config/changes} and {@code /audit}.
 *
 * <p>Reads run on the event loop from the active snapshot. Writes are turned into an {@link
 * ObjectWrite} here (the JSON body checked for syntax and shape, {@code If-Match} into
 * preconditions) and {@link AdminApi#write} runs on the admin thread; the config parser validates
 * the result exactly as it validates the file. An object's ETag is {@link ObjectJson#etag} of its
 * effective form; a collection's is the config version.
 */
final class ObjectEndpoints {

  private static final ObjectMapper MAPPER =
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
      return read ? now(audit(api, q)) : now(AdminHandler.methodNotAllowed("GET"));
    }
    if (path.equals("/config/diff")) {
      return read ? now(diff(api, q, caller)) : now(AdminHandler.methodNotAllowed("GET"));
    }
    if (path.equals("/config/versions")) {
      return read ? now(versions(api)) : now(AdminHandler.methodNotAllowed("GET"));
    }
    if (path.equals("/config/changes")) {
      return method == HttpMethod.POST
          ? batch(req, caller, dry)
          : now(AdminHandler.methodNotAllowed("POST"));
    }
    if (seg.size() == 4 && seg.get(0).equals("config") && seg.get(3).equals("rollback")) {
      if (method != HttpMethod.POST) {
        return now(AdminHandler.methodNotAllowed("POST"));
      }
      long number = number(seg.get(2));
      if (number < 1) {
        return now(notFound(path));
      }
      List<Precondition> pre = configPrecondition(req);
      return new Outcome.Later(a -> result(a.rollback(number, caller.name(), pre), null));
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

  private static FullHttpResponse versions(AdminApi api) throws IOException {
    ConfigStore store = api.store();
    StringWriter w = new StringWriter();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("config_version", api.snapshot().version());
      g.writeArrayFieldStart("versions");
      for (ConfigVersion v : store == null ? List.<ConfigVersion>of() : store.versions()) {
        g.writeStartObject();
        g.writeNumberField("number", v.number());
        g.writeStringField("time", v.time().toString());
        g.writeStringField("actor", v.actor());
        g.writeStringField("action", v.action());
        g.writeStringField("config_version", v.configVersion());
        g.writeArrayFieldStart("changed");
        for (ObjectKey k : v.changed()) {
          g.writeString(k.toString());
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return json(HttpResponseStatus.OK, w.toString());
  }

  /**
   * {@code GET /config/diff?from=N&to=M}: the objects of the effective config added, changed and
   * removed between two stored versions ({@code to} defaults to the newest).
   */
  private static FullHttpResponse diff(AdminApi api, QueryStringDecoder q, AdminAuth.Caller caller)
      throws IOException {
    ConfigStore store = api.store();
    long from = number(param(q, "from"));
    String toText = param(q, "to");
    ConfigVersion newest = store == null ? null : store.latest().orElse(null);
    long to = toText.isEmpty() ? (newest == null ? -1 : newest.number()) : number(toText);
    ConfigVersion a = store == null ? null : store.version(from).orElse(null);
    ConfigVersion b = store == null ? null : store.version(to).orElse(null);
    if (a == null || b == null) {
      return problem(
          HttpResponseStatus.NOT_FOUND,
          "admin-not-found",
          "No kept version "
              + (a == null ? "from=" + param(q, "from") : "to=" + toText)
              + "; GET /config/versions lists them.");
    }
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    TreeSet<ObjectKey> all = new TreeSet<>(a.etags().keySet());
    all.addAll(b.etags().keySet());
    for (ObjectKey k : all) {
      String before = a.etags().get(k);
      String after = b.etags().get(k);
      if (before == null) {
        added.add(k.toString());
      } else if (after == null) {
        removed.add(k.toString());
      } else if (!before.equals(after)) {
        changed.add(k.toString());
      }
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.put("from", a.number());
    out.put("to", b.number());
    added.forEach(out.putArray("added")::add);
    changed.forEach(out.putArray("changed")::add);
    removed.forEach(out.putArray("removed")::add);
    if (caller.canWrite()) {
      // Objects in full hold secrets: the YAML diff is for the callers who may see them.
      StringBuilder text = new StringBuilder();
      for (ObjectKey k : all) {
        text.append(
            DryRun.unifiedDiff(
                k,
                DryRun.yamlOfJson(a.layer().objects().get(k)),
                DryRun.yamlOfJson(b.layer().objects().get(k))));
      }
      out.put("diff", text.toString());
    }
    return json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
  }

  private static FullHttpResponse audit(AdminApi api, QueryStringDecoder q) throws IOException {
    ConfigStore store = api.store();
    long limit = param(q, "limit").isEmpty() ? 100 : number(param(q, "limit"));
    if (limit < 1 || limit > 1000) {
      return problem(
          HttpResponseStatus.BAD_REQUEST,
          "bad-request",
          "limit: \"" + param(q, "limit") + "\" (expected: a number from 1 to 1000)");
    }
    ObjectNode out = MAPPER.createObjectNode();
    var entries = out.putArray("entries");
    for (AuditEntry e : store == null ? List.<AuditEntry>of() : store.audit((int) limit)) {
      ObjectNode o = entries.addObject();
      o.put("time", e.time().toString());
      o.put("actor", e.actor());
      o.put("action", e.action());
      o.put("outcome", e.outcome());
      if (e.version() != null) {
        o.put("version", e.version());
      }
      o.put("detail", e.detail());
    }
    return json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
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

  /**
   * {@code POST /config/changes}: several objects put or deleted as one version, all or nothing:
   * {@code {"changes": [{"op": "put", "kind": "routes", "name": "a", "object": {...}}, {"op":
   * "delete", "kind": "services", "name": "b"}]}}. {@code If-Match} holds the config version.
   */
  private static Outcome batch(FullHttpRequest req, AdminAuth.Caller caller, boolean dryQuery) {
    JsonNode body;
    try {
      body = body(req);
    } catch (BadBody e) {
      return now(e.response);
    }
    JsonNode list = body.get("changes");
    if (list == null || !list.isArray()) {
      return now(invalid("/config/changes", "$.changes", "expected: a list of changes"));
    }
    JsonNode dryNode = body.path("dry_run");
    if (!dryNode.isMissingNode() && !dryNode.isBoolean()) {
      return now(invalid("/config/changes", "$.dry_run", "expected: true or false"));
    }
    boolean dry = dryQuery || dryNode.asBoolean(false);
    List<Change> changes = new ArrayList<>();
    List<Precondition> pre = new ArrayList<>(configPrecondition(req));
    int i = 0;
    for (JsonNode c : list) {
      String at = "$.changes[" + i++ + "]";
      ObjectKind kind = ObjectKind.ofSection(c.path("kind").asText(""));
      String name = c.path("name").asText("");
      String op = c.path("op").asText("");
      if (kind == null || name.isEmpty() || !(op.equals("put") || op.equals("delete"))) {
        return now(
            invalid(
                "/config/changes",
                at,
                "expected: {op: put|delete, kind: services|routes|consumers|plugins|ai-providers|ai-models,"
                    + " name,"
                    + " object}"));
      }
      ObjectKey key = new ObjectKey(kind, name);
      if (op.equals("delete")) {
        changes.add(Change.delete(key));
        pre.add(Precondition.exists(key));
        continue;
      }
      JsonNode object = c.get("object");
      if (object == null || !object.isObject()) {
        return now(invalid("/config/changes", at + ".object", "expected: an object"));
      }
      String json;
      try {
        json = storable(key, (ObjectNode) object);
      } catch (BadBody e) {
        return now(e.response);
      }
      changes.add(Change.put(key, json));
    }
    return new Outcome.Later(
        a -> {
          List<Change> kept = new ArrayList<>();
          for (Change c : changes) {
            String j = c.json();
            kept.add(j == null ? c : Change.put(c.key(), keepKey(a, c.key(), j)));
          }
          ObjectWrite w = new ObjectWrite(caller.name(), "POST /config/changes", kept, pre);
          return dry ? DryRun.answer(a, w) : result(a.write(w), null);
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
  private static String storable(ObjectKey key, ObjectNode object) throws BadBody {
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
      return invalid(rejected.problems().list());
    }
    if (!(result instanceof WriteResult.Failed f)) {
      throw new IllegalStateException("a dry run's answer to a write: " + result);
    }
    return problem(HttpResponseStatus.valueOf(f.status()), f.type(), f.detail());
  }

  /** 400 with every problem: its source, JSON path, line, column and message. */
  private static FullHttpResponse invalid(List<Problem> problems) throws IOException {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("type", "https://portico.dev/problems/admin-invalid-config");
    out.put("title", "Bad Request");
    out.put("status", 400);
    out.put(
        "detail",
        "The config this write makes has "
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + "; nothing changed.");
    var list = out.putArray("problems");
    for (Problem p : problems) {
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

  private static FullHttpResponse invalid(String source, String path, String message) {
    try {
      return invalid(
          List.of(new Problem(new io.portico.spi.config.Location(source, 1, 1), path, message)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request body that is not one JSON object. */
  private static final class BadBody extends Exception {
    private static final long serialVersionUID = 1L;
    final transient FullHttpResponse response;

    BadBody(FullHttpResponse response) {
      super(null, null, false, false);
      this.response = response;
    }
  }

  private static JsonNode body(FullHttpRequest req) throws BadBody {
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
              "invalid JSON (expected: a JSON object): " + e.getOriginalMessage()));
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

  private static List<Precondition> itemPreconditions(FullHttpRequest req, ObjectKey key) {
    String ifMatch = req.headers().get(HttpHeaderNames.IF_MATCH);
    if (ifMatch == null) {
      return List.of();
    }
    String tag = unquote(ifMatch);
    return List.of(tag.equals("*") ? Precondition.exists(key) : Precondition.etag(key, tag));
  }

  private static List<Precondition> configPrecondition(FullHttpRequest req) {
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

  private static FullHttpResponse notFound(String resource) {
    return problem(HttpResponseStatus.NOT_FOUND, "admin-not-found", "No " + resource + ".");
  }

  private static Outcome now(FullHttpResponse r) {
    return new Outcome.Now(r);
  }

  private static String param(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? "" : v.get(0);
  }

  /** A positive decimal number, or -1. */
  private static long number(String text) {
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
