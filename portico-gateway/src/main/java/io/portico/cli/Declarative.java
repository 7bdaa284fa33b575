package io.portico.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigLoader;
import io.portico.config.ConfigResult;
import io.portico.config.LoadResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@code diff} and {@code apply} share: the declared file loaded and checked exactly as {@code
 * validate} checks it (every problem with file:line, nothing sent when there is one), the gateway's
 * objects read from its admin API, the {@link SyncPlan} between them, printed, and the plan sent as
 * one {@code POST /config/changes} (all or nothing) guarded by {@code If-Match} on the config
 * version that was read.
 *
 * <p>{@code ${VAR}} in the file is resolved from this command's environment before anything is
 * compared or sent.
 */
final class Declarative {

  /**
   * Exit codes: no change, a failure (invalid file, unreachable or refusing gateway), changes, and
   * (apply) a conflict: the gateway's config changed since it was read, nothing was applied.
   */
  static final int SAME = 0;

  static final int FAILED = 1;
  static final int CHANGES = 2;
  static final int CONFLICT = 3;

  /** How sending a plan ended, and the exit code {@code apply} ends with. */
  enum Applied {
    /** The gateway applied every change. */
    APPLIED(SAME),
    /** The gateway's config changed since the plan was made (412); nothing was applied. */
    CONFLICT(Declarative.CONFLICT),
    /** The gateway refused the changes or could not be reached; nothing was applied. */
    FAILED(Declarative.FAILED);

    private final int exitCode;

    Applied(int exitCode) {
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STEP = Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)\\]");

  private final Path file;
  private final PrintWriter out;
  private final PrintWriter err;
  private final AdminClient admin;
  private Map<ObjectKey, ConfigNode> desired = Map.of();
  private String version = "";

  Declarative(Path file, AdminOptions options, PrintWriter out, PrintWriter err) {
    this.file = file;
    this.out = out;
    this.err = err;
    this.admin = new AdminClient(options);
  }

  /** Loads and checks the file; false (problems printed) when it is not a valid config. */
  boolean load() {
    if (!Files.isRegularFile(file)) {
      err.println(file + ": no such file");
      return false;
    }
    LoadResult loaded = ConfigLoader.withEnvironment(System.getenv()).load(file);
    PluginRegistry registry = PluginRegistry.load(Declarative.class.getClassLoader());
    ConfigResult result = ConfigFiles.parse(loaded, file, registry);
    if (!result.ok()) {
      Problems problems = result.problems();
      err.print(problems.render());
      err.println(
          file
              + ": "
              + problems.size()
              + " problem"
              + (problems.size() == 1 ? "" : "s")
              + "; nothing was sent to the gateway");
      return false;
    }
    desired = LayeredConfig.objects(loaded.root());
    return true;
  }

  /** Reads the gateway's objects and computes the plan; null (printed why) when it cannot. */
  @Nullable SyncPlan plan(boolean pruneFileObjects) {
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        Map<ObjectKey, SyncPlan.Current> current = new LinkedHashMap<>();
        Set<String> versions = new LinkedHashSet<>();
        for (ObjectKind kind : ObjectKind.values()) {
          AdminClient.Answer a = admin.get("/" + kind.section());
          if (a.status() != 200 || a.body() == null) {
            err.println(refusal("GET /" + kind.section(), a));
            return null;
          }
          versions.add(a.body().path("version").asText(""));
          for (JsonNode item : a.body().path(kind.section())) {
            current.put(
                new ObjectKey(kind, item.path("name").asText()),
                new SyncPlan.Current(
                    item.path("source").asText("file"),
                    item.path("etag").asText(""),
                    item.path("object")));
          }
        }
        if (versions.size() == 1) {
          version = versions.iterator().next();
          return SyncPlan.of(desired, current, pruneFileObjects);
        }
        // The config changed between two reads: read again.
      }
      err.println("the gateway's config kept changing while it was read; try again");
      return null;
    } catch (AdminClient.Unreachable e) {
      err.println(e.getMessage());
      return null;
    }
  }

  /** Prints the plan: one line per change, the fields an update changes, then a summary. */
  void print(SyncPlan plan) {
    for (SyncPlan.Action a : plan.actions()) {
      switch (a.op()) {
        case CREATE -> {
          out.println("+ create " + a.key() + " (" + where(a.desired()) + ")");
          out.println("    " + ObjectJson.write(nonNull(a.desired())));
        }
        case UPDATE -> {
          out.println("~ update " + a.key() + " (" + where(a.desired()) + ")");
          printFields(tree(nonNull(a.desired())), current(a));
        }
        case DELETE -> out.println("- delete " + a.key());
      }
    }
    long creates = plan.actions().stream().filter(a -> a.op() == SyncPlan.Op.CREATE).count();
    long updates = plan.actions().stream().filter(a -> a.op() == SyncPlan.Op.UPDATE).count();
    long deletes = plan.actions().stream().filter(a -> a.op() == SyncPlan.Op.DELETE).count();
    out.println(
        plan.isEmpty()
            ? "no changes: the gateway has what " + file.getFileName() + " declares"
            : creates + " to create, " + updates + " to update, " + deletes + " to delete");
    if (!plan.keptFileObjects().isEmpty()) {
      out.println(
          "kept (from the gateway's own config file, not in "
              + file.getFileName()
              + "; --prune-file-objects deletes them): "
              + String.join(
                  ", ", plan.keptFileObjects().stream().map(ObjectKey::toString).toList()));
    }
  }

  /** The gateway's object; {@code GET /routes} lists a compiled view, so it is read alone. */
  private JsonNode current(SyncPlan.Action a) {
    JsonNode listed = nonNull(a.current());
    if (listed.isObject()) {
      return listed;
    }
    try {
      AdminClient.Answer one = admin.get(a.key().resource());
      JsonNode body = one.body();
      return one.status() == 200 && body != null ? body : listed;
    } catch (AdminClient.Unreachable e) {
      return listed;
    }
  }

  private void printFields(JsonNode desired, JsonNode current) {
    Set<String> names = new LinkedHashSet<>();
    current.fieldNames().forEachRemaining(names::add);
    desired.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode before = current.get(name);
      JsonNode after = desired.get(name);
      if (before != null && before.equals(after)) {
        continue;
      }
      if (before != null) {
        out.println("    - " + name + ": " + before);
      }
      if (after != null) {
        out.println("    + " + name + ": " + after);
      }
    }
  }

  /**
   * Sends the plan as one batch, guarded by the config version the plan was made against. A refusal
   * is printed: problems with the file's line for each object of the file, a conflict when the
   * config changed since it was read.
   */
  Applied apply(SyncPlan plan) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode changes = body.putArray("changes");
    for (SyncPlan.Action a : plan.actions()) {
      ObjectNode c = changes.addObject();
      c.put("op", a.op() == SyncPlan.Op.DELETE ? "delete" : "put");
      c.put("kind", a.key().kind().section());
      c.put("name", a.key().name());
      if (a.op() != SyncPlan.Op.DELETE) {
        c.set("object", tree(nonNull(a.desired())));
      }
    }
    AdminClient.Answer answer;
    try {
      answer = admin.post("/config/changes", body.toString(), version);
    } catch (AdminClient.Unreachable e) {
      err.println(e.getMessage());
      return Applied.FAILED;
    }
    if (answer.status() == 200) {
      JsonNode b = answer.body();
      out.println(
          "applied: version "
              + (b == null ? "?" : b.path("version").asText("?"))
              + ", config "
              + (b == null ? "?" : b.path("config_version").asText("?")));
      return Applied.APPLIED;
    }
    if (answer.status() == 412) {
      err.println(
          "the gateway's config changed since it was read (version "
              + version
              + "): 412 Precondition Failed; nothing was applied. Run `portico diff` again to"
              + " see the changes against the new config, then `portico apply`.");
      return Applied.CONFLICT;
    }
    JsonNode problems = answer.body() == null ? null : answer.body().get("problems");
    if (problems != null && problems.isArray()) {
      err.println(
          "the gateway refused the changes (" + answer.status() + "); nothing was applied:");
      for (JsonNode p : problems) {
        err.println(located(p));
      }
      return Applied.FAILED;
    }
    err.println(refusal("POST /config/changes", answer));
    return Applied.FAILED;
  }

  /**
   * A problem of the gateway's, at its place in the file when it is about one of the file's
   * objects.
   */
  private String located(JsonNode p) {
    String source = p.path("source").asText("");
    String path = p.path("path").asText("");
    String message = p.path("message").asText("");
    for (Map.Entry<ObjectKey, ConfigNode> e : desired.entrySet()) {
      if (e.getKey().resource().equals(source)) {
        ConfigNode at = walk(e.getValue(), path);
        return at.location() + ": " + e.getKey() + " " + path + ": " + message;
      }
    }
    return source
        + ":"
        + p.path("line").asInt()
        + ":"
        + p.path("column").asInt()
        + ": "
        + (path.isEmpty() ? "" : path + ": ")
        + message;
  }

  /** The deepest node of {@code root} that a JSON path such as {@code $.paths[0]} reaches. */
  static ConfigNode walk(ConfigNode root, String path) {
    ConfigNode node = root;
    Matcher m = STEP.matcher(path.startsWith("$") ? path.substring(1) : path);
    while (m.find()) {
      ConfigNode next = null;
      if (m.group(1) != null && node.isObject()) {
        next = node.fields().get(m.group(1));
      } else if (m.group(2) != null && node.isList()) {
        int i = Integer.parseInt(m.group(2));
        next = i < node.items().size() ? node.items().get(i) : null;
      }
      if (next == null) {
        break;
      }
      node = next;
    }
    return node;
  }

  private static String where(@Nullable ConfigNode node) {
    return node == null ? "" : node.location().toString();
  }

  private static String refusal(String what, AdminClient.Answer a) {
    JsonNode b = a.body();
    String detail = b == null ? a.text() : b.path("detail").asText(b.toString());
    return what + ": " + a.status() + " " + detail;
  }

  private static JsonNode tree(ConfigNode node) {
    try {
      return JSON.readTree(ObjectJson.write(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("ObjectJson writes JSON", e);
    }
  }

  private static <T> T nonNull(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("a create or update carries the file's object");
    }
    return value;
  }
}
