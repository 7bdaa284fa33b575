package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.config.AggregateConfig;
import io.portico.config.BackendConfig;
import io.portico.config.RouteConfig;
import io.portico.plugin.PluginChain;
import io.portico.snapshot.CompiledRoute;
import io.portico.snapshot.Snapshot;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectLayer;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /routes}: the compiled routes in config order, each with its match (hosts, paths,
 * methods, priority), service, where it comes from (the file or the admin API, with its ETag), its
 * aggregate and traffic, and its plugin chain by name; searched and paged by {@link ListQuery} (by
 * name, paths and service).
 */
final class RoutesEndpoint {

  private static final JsonFactory JSON = new JsonFactory();

  private RoutesEndpoint() {}

  /** The body of {@code GET /routes}. */
  static String write(Snapshot s, ObjectLayer layer, ListQuery query) throws IOException {
    Map<ObjectKey, ConfigNode> objects = LayeredConfig.objects(s.config().source());
    ListQuery.Page<RouteConfig> page = query.page(s.config().routes(), RoutesEndpoint::searchedBy);
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("version", s.version());
      g.writeNumberField("total", page.total());
      g.writeArrayFieldStart("routes");
      for (RouteConfig rc : page.items()) {
        g.writeStartObject();
        g.writeStringField("name", rc.name());
        stringArray(g, "hosts", rc.hosts());
        stringArray(g, "paths", rc.paths());
        g.writeStringField("path_match", rc.pathMatch());
        stringArray(g, "methods", rc.methods());
        g.writeNumberField("priority", rc.priority());
        if (rc.service() != null) {
          g.writeStringField("service", rc.service());
        }
        ObjectKey key = new ObjectKey(ObjectKind.ROUTES, rc.name());
        ConfigNode node = objects.get(key);
        if (node != null) {
          g.writeStringField("source", layer.objects().containsKey(key) ? "api" : "file");
          g.writeStringField("etag", ObjectJson.etag(node));
        }
        if (rc.aggregate() != null) {
          AggregateConfig a = rc.aggregate();
          g.writeObjectFieldStart("aggregate");
          g.writeStringField("timeout", ConfigReader.formatDuration(a.timeout()));
          g.writeStringField("failure", a.failure().name().toLowerCase(java.util.Locale.ROOT));
          g.writeArrayFieldStart("backends");
          for (BackendConfig b : a.backends()) {
            g.writeStartObject();
            g.writeStringField("name", b.name());
            g.writeStringField("service", b.service());
            g.writeStringField("method", b.method().text());
            g.writeStringField("path", b.path().text());
            g.writeBooleanField("required", b.required());
            stringArray(g, "after", b.after());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        CompiledRoute route = s.routes().get(rc.name());
        if (rc.traffic() != null) {
          TrafficView.write(g, rc.traffic(), route == null ? null : route.traffic());
        }
        g.writeArrayFieldStart("plugins");
        if (route != null) {
          for (PluginChain.Entry e : route.chain().entries()) {
            g.writeString(e.name());
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }

  /** A route is searched by its name, paths and service. */
  private static List<String> searchedBy(RouteConfig rc) {
    List<String> out = new ArrayList<>(rc.paths());
    out.add(rc.name());
    if (rc.service() != null) {
      out.add(rc.service());
    }
    return out;
  }

  private static void stringArray(JsonGenerator g, String name, java.util.Collection<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
