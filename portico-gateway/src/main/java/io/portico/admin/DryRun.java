package io.portico.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.spi.config.ConfigNode;
import io.portico.store.Change;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectWrite;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Dry runs of admin writes ({@code ?dry_run=true} on a write, {@code "dry_run": true} in the body
 * of {@code POST /config/changes}): the write is checked exactly as it would be applied ({@link
 * AdminApi#dryRun}), and the answer is either its problems (as a write's) or, per object it
 * touches, the unified diff of the object's YAML before and after. Nothing changes and nothing is
 * stored.
 *
 * <p>Runs on the admin thread, like the writes.
 */
final class DryRun {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  private DryRun() {}

  /**
   * Whether a write's query asks for a dry run: {@code dry_run=true}; null when the parameter is
   * neither {@code true} nor {@code false}.
   */
  static @Nullable Boolean requested(QueryStringDecoder q) {
    List<String> v = q.parameters().get("dry_run");
    if (v == null || v.isEmpty() || v.get(0).equals("false")) {
      return false;
    }
    return v.get(0).equals("true") ? Boolean.TRUE : null;
  }

  static FullHttpResponse badParameter(QueryStringDecoder q) {
    return AdminHandler.problem(
        HttpResponseStatus.BAD_REQUEST,
        "admin-bad-request",
        "dry_run: \""
            + q.parameters().getOrDefault("dry_run", List.of("")).get(0)
            + "\" (expected: true or false)");
  }

  /** Checks {@code write} and answers what it would change. */
  static FullHttpResponse answer(AdminApi api, ObjectWrite write) throws IOException {
    Map<ObjectKey, ConfigNode> before = LayeredConfig.objects(api.snapshot().config().source());
    WriteResult result = api.dryRun(write);
    if (!(result instanceof WriteResult.Valid valid)) {
      return ObjectEndpoints.result(result, null);
    }
    Map<ObjectKey, ConfigNode> after = LayeredConfig.objects(valid.config());
    Set<ObjectKey> keys = new LinkedHashSet<>();
    for (Change c : write.changes()) {
      keys.add(c.key());
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("dry_run", true);
    out.put("applied", false);
    ArrayNode changes = out.putArray("changes");
    StringBuilder all = new StringBuilder();
    for (ObjectKey key : keys) {
      ConfigNode a = before.get(key);
      ConfigNode b = after.get(key);
      String diff = unifiedDiff(key, a == null ? "" : yaml(a), b == null ? "" : yaml(b));
      ObjectNode c = changes.addObject();
      c.put("kind", key.kind().section());
      c.put("name", key.name());
      c.put(
          "change",
          a == null ? "create" : b == null ? "delete" : diff.isEmpty() ? "none" : "update");
      c.put("diff", diff);
      all.append(diff);
    }
    out.put("diff", all.toString());
    return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
  }

  /** An object as YAML, in the JSON form the admin API shows it in. */
  static String yaml(ConfigNode node) {
    try {
      return YAML.writeValueAsString(masked(JSON.readTree(ObjectJson.write(node))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // not reached: ObjectJson writes valid JSON
    }
  }

  /**
   * The tree with every AI provider key ({@code api-key}) replaced by its masked form, as every
   * read shows it: diffs never carry a key.
   */
  static JsonNode masked(JsonNode tree) {
    if (tree instanceof ObjectNode o) {
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        if (e.getKey().equals("api-key") && e.getValue().isTextual()) {
          o.put("api-key", io.portico.config.AiConfig.Key.masked(e.getValue().asText()));
        } else {
          masked(e.getValue());
        }
      }
    } else if (tree instanceof ArrayNode a) {
      a.forEach(DryRun::masked);
    }
    return tree;
  }

  /** An object of the API's layer (JSON as stored) as YAML; empty for none. */
  static String yamlOfJson(@Nullable String json) {
    if (json == null) {
      return "";
    }
    try {
      return YAML.writeValueAsString(masked(JSON.readTree(json)));
    } catch (JsonProcessingException e) {
      return json;
    }
  }

  /** The unified diff of two texts, with three lines of context; empty when they are equal. */
  static String unifiedDiff(ObjectKey key, String before, String after) {
    List<String> a = before.isEmpty() ? List.of() : before.lines().toList();
    List<String> b = after.isEmpty() ? List.of() : after.lines().toList();
    if (a.equals(b)) {
      return "";
    }
    List<String> lines =
        UnifiedDiffUtils.generateUnifiedDiff(
            a.isEmpty() ? "/dev/null" : "a" + key.resource(),
            b.isEmpty() ? "/dev/null" : "b" + key.resource(),
            a,
            DiffUtils.diff(a, b),
            3);
    return String.join("\n", lines) + "\n";
  }
}
