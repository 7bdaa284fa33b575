package io.portico.plugins.ratelimit;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code limit-conn}: the most requests per key in flight at once, with a bounded wait queue. */
public final class LimitConnFactory implements PluginFactory<LimitConnConfig> {

  @Override
  public String name() {
    return "limit-conn";
  }

  @Override
  public int priority() {
    return 1080;
  }

  @Override
  public LimitConnConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int max = config.integer("max", 0, 1, 1_000_000);
    if (!config.has("max")) {
      config.required("max", "an integer from 1");
    }
    int queue = config.integer("queue", 0, 0, 1_000_000);
    Duration timeout =
        config.duration(
            "queue-timeout", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMinutes(10));
    List<KeySpec.Part> parts = new ArrayList<>();
    ConfigNode node = config.child("key");
    if (node == null) {
      parts.add(new KeySpec.Part(KeySpec.Kind.IP, null));
    } else {
      for (ConfigNode w : node.isList() ? node.items() : List.of(node)) {
        KeySpec.Part p = w.isScalar() ? KeySpec.part(w.scalarText()) : null;
        if (p == null) {
          problems.expected(w, KeySpec.RULE);
        } else {
          parts.add(p);
        }
      }
    }
    boolean missingIp = "ip".equals(config.oneOf("missing-key", "reject", List.of("reject", "ip")));
    int status = config.integer("status", 503, 400, 599);
    config.finish();
    return new LimitConnConfig(max, queue, timeout, new KeySpec(parts), missingIp, status);
  }

  @Override
  public Plugin create(LimitConnConfig config, PluginContext context) {
    return new LimitConnPlugin(config);
  }
}
