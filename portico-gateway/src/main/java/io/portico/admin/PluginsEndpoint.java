package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.config.GatewayConfig;
import io.portico.config.PluginSpec;
import io.portico.config.RouteConfig;
import io.portico.config.ServiceConfig;
import io.portico.plugin.PluginChain;
import io.portico.plugin.PluginSchemas;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.PluginFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /schemas/plugins} and {@code GET /schemas/plugins/{name}}: the plugins this gateway
 * can run (not the global plugin objects of {@code /plugins}, which {@link ObjectEndpoints}
 * serves), each with its name, priority, the phases it runs in (known once an instance of it runs
 * in the active config) and the JSON Schema of its config ({@link PluginFactory#configSchema()}),
 * for the console's plugin forms and for tools. The plugins are those of the registry and those the
 * active config uses (a {@code runtime.plugin-dir}'s jars among them). Read by any signed-in role.
 */
final class PluginsEndpoint {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST = "/schemas/plugins";

  private PluginsEndpoint() {}

  static boolean handles(String path) {
    return path.equals(LIST) || path.startsWith(LIST + "/");
  }

  static FullHttpResponse handle(String uriPath, AdminApi api) {
    String path = new QueryStringDecoder(uriPath).path();
    Snapshot snapshot = api.snapshot();
    Map<String, PluginFactory<?>> factories = factories(api, snapshot.config());
    Map<String, Set<Phase>> phases = phases(snapshot);
    if (path.equals(LIST)) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode list = body.putArray("plugins");
      factories.values().forEach(f -> list.add(describe(f, phases.get(f.name()))));
      body.put("total", list.size());
      return AdminHandler.json(HttpResponseStatus.OK, body.toString());
    }
    String name = QueryStringDecoder.decodeComponent(path.substring(LIST.length() + 1));
    PluginFactory<?> factory = factories.get(name);
    if (factory == null || name.isEmpty()) {
      return AdminHandler.problem(
          HttpResponseStatus.NOT_FOUND,
          "admin-not-found",
          "No plugin named \"" + name + "\" is installed; GET /schemas/plugins lists them.");
    }
    return AdminHandler.json(
        HttpResponseStatus.OK, describe(factory, phases.get(factory.name())).toString());
  }

  /** The registry's factories and those the active config uses, by name. */
  private static Map<String, PluginFactory<?>> factories(AdminApi api, GatewayConfig config) {
    Map<String, PluginFactory<?>> out = new TreeMap<>();
    for (String name : api.plugins().names()) {
      PluginFactory<?> f = api.plugins().find(name);
      if (f != null) {
        out.put(name, f);
      }
    }
    addAll(out, config.plugins());
    for (ServiceConfig s : config.services()) {
      addAll(out, s.plugins());
    }
    for (RouteConfig r : config.routes()) {
      addAll(out, r.plugins());
    }
    return out;
  }

  private static void addAll(Map<String, PluginFactory<?>> out, List<PluginSpec> specs) {
    for (PluginSpec spec : specs) {
      out.putIfAbsent(spec.name(), spec.factory());
    }
  }

  /** The phases of each plugin that has an instance in the active snapshot. */
  private static Map<String, Set<Phase>> phases(Snapshot snapshot) {
    Map<String, Set<Phase>> out = new TreeMap<>();
    for (PluginChain.Entry e : snapshot.plugins()) {
      out.computeIfAbsent(e.name(), k -> EnumSet.noneOf(Phase.class)).addAll(e.plugin().phases());
    }
    return out;
  }

  private static ObjectNode describe(PluginFactory<?> factory, @Nullable Set<Phase> phases) {
    ObjectNode out = JSON.createObjectNode();
    out.put("name", factory.name());
    out.put("priority", factory.priority());
    if (phases == null) {
      out.putNull("phases");
    } else {
      ArrayNode list = out.putArray("phases");
      phases.forEach(p -> list.add(p.name()));
    }
    try {
      JsonNode schema = PluginSchemas.schemaOf(factory);
      if (schema == null) {
        out.putNull("schema");
      } else {
        out.set("schema", schema);
      }
    } catch (RuntimeException e) {
      out.putNull("schema");
      out.put("schema_error", String.valueOf(e.getMessage()));
    }
    return out;
  }
}
