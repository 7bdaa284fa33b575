package io.portico.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.config.TrafficConfig;
import io.portico.traffic.MirrorPlan;
import io.portico.traffic.RouteTraffic;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A route's traffic split and mirror in {@code GET /routes}: the rules with their services and
 * weights, and the mirror with its counts of copies sent, answered, failed and skipped.
 */
final class TrafficView {

  private TrafficView() {}

  static void write(JsonGenerator g, TrafficConfig config, @Nullable RouteTraffic compiled)
      throws IOException {
    TrafficConfig.Split split = config.split();
    if (split != null) {
      g.writeObjectFieldStart("traffic_split");
      if (split.hashOn() != null) {
        g.writeStringField("hash_on", split.hashOn().configName());
      }
      if (split.hashKey() != null) {
        g.writeStringField("hash_key", split.hashKey());
      }
      g.writeArrayFieldStart("rules");
      for (TrafficConfig.Rule r : split.rules()) {
        g.writeStartObject();
        g.writeObjectFieldStart("match");
        values(g, "headers", r.match().headers());
        values(g, "query", r.match().query());
        values(g, "cookies", r.match().cookies());
        g.writeEndObject();
        g.writeArrayFieldStart("services");
        for (TrafficConfig.Weighted w : r.services()) {
          g.writeStartObject();
          g.writeStringField("service", w.service());
          g.writeNumberField("weight", w.weight());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    TrafficConfig.Mirror mirror = config.mirror();
    if (mirror != null) {
      g.writeObjectFieldStart("mirror");
      g.writeStringField("service", mirror.service());
      g.writeNumberField("percent", mirror.percent());
      g.writeNumberField("max_body_size", mirror.maxBodySize());
      MirrorPlan plan = compiled == null ? null : compiled.mirror();
      if (plan != null) {
        g.writeNumberField("sent", plan.sent());
        g.writeNumberField("answered", plan.answered());
        g.writeNumberField("failed", plan.failed());
        g.writeNumberField("skipped", plan.skipped());
      }
      g.writeEndObject();
    }
  }

  private static void values(JsonGenerator g, String name, Map<String, List<String>> values)
      throws IOException {
    if (values.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      g.writeArrayFieldStart(e.getKey());
      for (String v : e.getValue()) {
        g.writeString(v);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }
}
