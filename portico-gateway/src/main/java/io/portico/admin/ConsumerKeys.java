package io.portico.admin;

import static io.portico.admin.AdminHandler.json;
import static io.portico.admin.AdminHandler.problem;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.plugins.auth.key.KeyAuthFactory;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.store.Change;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A consumer's {@code key-auth} keys, issued by the gateway so that only their hashes are kept:
 *
 * <ul>
 *   <li>{@code GET /consumers/{name}/keys}: the keys' ids (never a key or a hash)
 *   <li>{@code POST /consumers/{name}/keys}: a new random key; the answer (201) holds the key, the
 *       only time it is shown; the consumer's credentials hold its {@code sha256:} hash, and its
 *       {@code expires-at} when the body gives {@code expires_at}
 *   <li>{@code POST /consumers/{name}/keys/{id}/rotate}: a new key under the same id; the old one
 *       stays, as {@code {id}.previous}, with an {@code expires-at} at the end of the grace period
 *       ({@code grace_period} of the body, else {@code admin.key-rotation-grace}; {@code 0s}: it
 *       stops working with the same write). Rotating again within the grace period ends the earlier
 *       previous key at once; a previous key whose time has passed is dropped by the next change of
 *       the consumer's keys
 *   <li>{@code DELETE /consumers/{name}/keys/{id}}: revokes the key
 * </ul>
 *
 * Each change is an ordinary admin write of the whole consumer ({@link AdminApi#write}): validated
 * as the file is, a new config version and an audit entry, with the consumer's ETag as precondition
 * so that a concurrent change is not lost (412 then). Runs on the admin thread.
 */
final class ConsumerKeys {

  /** The prefix of a key issued here, so that a leaked one is recognised for what it is. */
  static final String KEY_PREFIX = "ck_";

  private static final String KIND = "key-auth";
  private static final String EXPIRES_AT = "expires-at";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final SecureRandom RANDOM = new SecureRandom();

  private ConsumerKeys() {}

  /** Whether {@code path} is {@code /consumers/{name}/keys} or below it. */
  static boolean handles(String path) {
    List<String> seg = segments(path);
    return seg.size() >= 3 && seg.get(0).equals("consumers") && seg.get(2).equals("keys");
  }

  static FullHttpResponse handle(
      FullHttpRequest req, String path, AdminAuth.Caller caller, AdminApi api) throws IOException {
    List<String> seg = segments(path);
    HttpMethod method = req.method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (!read && !caller.canWrite()) {
      return problem(HttpResponseStatus.FORBIDDEN, "admin-forbidden", caller.readOnly());
    }
    String name = seg.get(1);
    ObjectKey key = new ObjectKey(ObjectKind.CONSUMERS, name);
    if (seg.size() == 3) {
      if (read) {
        return list(api, key);
      }
      if (method != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("GET, POST");
      }
      IssueBody body;
      try {
        body = issueBody(req);
      } catch (BadRequest e) {
        return e.response;
      }
      return change(api, caller, key, body.id(), body.expiresAt(), Op.ISSUE, Duration.ZERO);
    }
    String id = seg.get(3);
    if (seg.size() == 4) {
      return method == HttpMethod.DELETE
          ? change(api, caller, key, id, null, Op.REVOKE, Duration.ZERO)
          : AdminHandler.methodNotAllowed("DELETE");
    }
    if (seg.size() == 5 && seg.get(4).equals("rotate")) {
      if (method != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("POST");
      }
      Duration grace;
      try {
        grace = graceBody(req, api.snapshot().config().admin().keyRotationGrace());
      } catch (BadRequest e) {
        return e.response;
      }
      return change(api, caller, key, id, null, Op.ROTATE, grace);
    }
    return notFound(path);
  }

  private enum Op {
    ISSUE,
    ROTATE,
    REVOKE
  }

  private static FullHttpResponse list(AdminApi api, ObjectKey key) throws IOException {
    ConfigNode node = LayeredConfig.objects(api.snapshot().config().source()).get(key);
    if (node == null) {
      return notFound(key.resource());
    }
    ObjectNode consumer = (ObjectNode) MAPPER.readTree(ObjectJson.write(node));
    ObjectNode out = MAPPER.createObjectNode();
    out.put("consumer", key.name());
    ArrayNode keys = out.putArray("keys");
    for (JsonNode k : credentials(consumer)) {
      ObjectNode o = keys.addObject();
      JsonNode id = k.get("id");
      if (id != null && id.isTextual()) {
        o.put("id", id.asText());
      } else {
        o.putNull("id");
      }
      JsonNode expiresAt = k.get(EXPIRES_AT);
      if (expiresAt != null && expiresAt.isTextual()) {
        o.put("expires_at", expiresAt.asText());
      }
    }
    FullHttpResponse r = json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
    r.headers().set(HttpHeaderNames.ETAG, "\"" + ObjectJson.etag(node) + "\"");
    return r;
  }

  private static FullHttpResponse change(
      AdminApi api,
      AdminAuth.Caller caller,
      ObjectKey key,
      @Nullable String requestedId,
      @Nullable String expiresAt,
      Op op,
      Duration grace)
      throws IOException {
    ConfigNode node = LayeredConfig.objects(api.snapshot().config().source()).get(key);
    if (node == null) {
      return notFound(key.resource());
    }
    ObjectNode consumer = (ObjectNode) MAPPER.readTree(ObjectJson.writeForStorage(node));
    List<ObjectNode> keys = new ArrayList<>();
    Instant now = Instant.now();
    for (JsonNode k : credentials(consumer)) {
      if (!PreviousKeys.isPast(k, now)) {
        keys.add((ObjectNode) k.deepCopy());
      }
    }
    int at = -1;
    String id = requestedId;
    if (op == Op.ISSUE) {
      if (id == null) {
        id = "key-" + HexFormat.of().formatHex(random(4));
      }
      if (indexOf(keys, id) >= 0) {
        return problem(
            HttpResponseStatus.CONFLICT,
            "admin-conflict",
            "The consumer " + key.name() + " already has a key with the id " + id + ".");
      }
    } else {
      at = indexOf(keys, id);
      if (at < 0) {
        return notFound(key.resource() + "/keys/" + id);
      }
    }
    String secret = null;
    ObjectNode previous = null;
    if (op == Op.REVOKE) {
      keys.remove(at);
    } else {
      secret = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
      ObjectNode stored = MAPPER.createObjectNode().put("key", KeyHash.of(secret)).put("id", id);
      if (expiresAt != null) {
        stored.put(EXPIRES_AT, expiresAt);
      }
      if (at >= 0) {
        ObjectNode replaced = keys.set(at, stored);
        if (op == Op.ROTATE) {
          previous =
              PreviousKeys.keep(keys, replaced, java.util.Objects.requireNonNull(id), now, grace);
        }
      } else {
        keys.add(stored);
      }
    }
    ObjectNode credentials =
        consumer.get("credentials") instanceof ObjectNode c ? c : consumer.putObject("credentials");
    if (keys.isEmpty()) {
      credentials.remove(KIND);
    } else {
      ArrayNode list = credentials.putArray(KIND);
      keys.forEach(list::add);
    }
    String action =
        switch (op) {
          case ISSUE -> "POST " + key.resource() + "/keys (" + id + ")";
          case ROTATE -> "POST " + key.resource() + "/keys/" + id + "/rotate";
          case REVOKE -> "DELETE " + key.resource() + "/keys/" + id;
        };
    ObjectWrite write =
        new ObjectWrite(
            caller.name(),
            action,
            List.of(Change.put(key, MAPPER.writeValueAsString(consumer))),
            List.of(Precondition.etag(key, ObjectJson.etag(node))));
    WriteResult result = api.write(write);
    if (!(result instanceof WriteResult.Applied applied)) {
      return failure(result);
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.put("consumer", key.name());
    out.put("id", id);
    if (secret != null) {
      out.put("key", secret);
    }
    if (expiresAt != null) {
      out.put("expires_at", expiresAt);
    }
    if (previous != null) {
      out.putObject("previous")
          .put("id", previous.path("id").asText())
          .put("expires_at", previous.path(EXPIRES_AT).asText());
    }
    out.put("version", applied.version());
    out.put("config_version", applied.configVersion());
    FullHttpResponse r =
        json(
            op == Op.ISSUE ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
            MAPPER.writeValueAsString(out));
    if (op == Op.ISSUE) {
      r.headers().set(HttpHeaderNames.LOCATION, key.resource() + "/keys/" + id);
    }
    r.headers().set("Portico-Config-Version", applied.configVersion());
    return r;
  }

  /** The {@code key-auth} credentials of a consumer, one object or a list, as a list. */
  private static List<JsonNode> credentials(ObjectNode consumer) {
    JsonNode kind = consumer.path("credentials").path(KIND);
    List<JsonNode> out = new ArrayList<>();
    if (kind.isObject()) {
      out.add(kind);
    } else if (kind.isArray()) {
      kind.forEach(out::add);
    }
    return out;
  }

  private static int indexOf(List<ObjectNode> keys, @Nullable String id) {
    for (int i = 0; i < keys.size(); i++) {
      JsonNode k = keys.get(i).get("id");
      if (k != null && k.isTextual() && k.asText().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  /** What an issue request asks for: an id (null for a generated one) and an expiry, or none. */
  private record IssueBody(@Nullable String id, @Nullable String expiresAt) {}

  private static final String BODY_RULE =
      "the body (expected: a JSON object such as {\"id\": \"mobile-2026\", \"expires_at\":"
          + " \"2027-01-31T00:00:00Z\"}, both optional)";

  /** The optional body {@code {"id": "...", "expires_at": "..."}} of an issue request. */
  private static IssueBody issueBody(FullHttpRequest req) throws BadRequest {
    String text = req.content().toString(StandardCharsets.UTF_8).trim();
    if (text.isEmpty()) {
      return new IssueBody(null, null);
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(text);
    } catch (IOException e) {
      throw new BadRequest(BODY_RULE);
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest(BODY_RULE);
    }
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("id") && !name.equals("expires_at")) {
        throw new BadRequest(name + ": unknown member (expected: id, expires_at)");
      }
    }
    String id = null;
    JsonNode idNode = body.get("id");
    if (idNode != null && !idNode.isNull()) {
      if (!idNode.isTextual() || !ID.matcher(idNode.asText()).matches()) {
        throw new BadRequest(
            "id: "
                + idNode
                + " (expected: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter"
                + " or digit)");
      }
      id = idNode.asText();
    }
    String expiresAt = null;
    JsonNode expiresNode = body.get("expires_at");
    if (expiresNode != null && !expiresNode.isNull()) {
      if (!expiresNode.isTextual() || KeyAuthFactory.expiresAt(expiresNode.asText()) == null) {
        throw new BadRequest(
            "expires_at: "
                + expiresNode
                + " (expected: an RFC 3339 date-time with its offset, such as"
                + " 2027-01-31T00:00:00Z)");
      }
      expiresAt = expiresNode.asText().trim();
    }
    return new IssueBody(id, expiresAt);
  }

  private static final String GRACE_RULE =
      "the body (expected: a JSON object such as {\"grace_period\": \"1h\"}, optional)";

  /** The optional body {@code {"grace_period": "1h"}} of a rotate request, else {@code dflt}. */
  private static Duration graceBody(FullHttpRequest req, Duration dflt) throws BadRequest {
    String text = req.content().toString(StandardCharsets.UTF_8).trim();
    if (text.isEmpty()) {
      return dflt;
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(text);
    } catch (IOException e) {
      throw new BadRequest(GRACE_RULE);
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest(GRACE_RULE);
    }
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("grace_period")) {
        throw new BadRequest(name + ": unknown member (expected: grace_period)");
      }
    }
    JsonNode grace = body.get("grace_period");
    if (grace == null || grace.isNull()) {
      return dflt;
    }
    Duration d = grace.isTextual() ? ConfigReader.parseDuration(grace.asText()) : null;
    if (d == null) {
      throw new BadRequest(
          "grace_period: "
              + grace
              + " (expected: a duration from 0s to 365d, such as 0s, 30m, 24h or 7d)");
    }
    return d;
  }

  private static FullHttpResponse failure(WriteResult result) throws IOException {
    if (result instanceof WriteResult.Rejected rejected) {
      return ObjectEndpoints.invalid(rejected.problems());
    }
    WriteResult.Failed f = (WriteResult.Failed) result;
    return problem(HttpResponseStatus.valueOf(f.status()), f.type(), f.detail());
  }

  private static byte[] random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b;
  }

  private static FullHttpResponse notFound(String resource) {
    return problem(HttpResponseStatus.NOT_FOUND, "admin-not-found", "No " + resource + ".");
  }

  /** A request body that is not what the endpoint takes. */
  private static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;
    final transient FullHttpResponse response;

    BadRequest(String message) {
      super(null, null, false, false);
      this.response = problem(HttpResponseStatus.BAD_REQUEST, "admin-bad-request", message);
    }
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
