package io.portico.plugins.ratelimit;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code quota}: an allowance per consumer (or consumer group) per calendar day or month, counted
 * in Redis so that every instance shares it and a restart forgets nothing. See {@link QuotaPlugin}.
 */
public final class QuotaFactory implements PluginFactory<QuotaConfig> {

  /** The largest cost of one request, configured or read from {@code cost-header}. */
  static final long MAX_COST = 1_000_000_000L;

  @Override
  public String name() {
    return "quota";
  }

  @Override
  public int priority() {
    return 1090;
  }

  @Override
  public @Nullable QuotaConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    String name = config.string("name", "default");
    long limit = config.longValue("limit", 0, 1, Long.MAX_VALUE / 4);
    if (!config.has("limit")) {
      config.required("limit", "an integer from 1");
    }
    String period = config.oneOf("period", "month", List.of("day", "month"));
    ZoneId zone =
        config.value(
            "time-zone",
            ZoneId.of("UTC"),
            "a time zone such as UTC or Europe/Paris",
            (text, node) -> {
              try {
                return ZoneId.of(text.trim());
              } catch (DateTimeException e) {
                return null;
              }
            });
    String per = config.oneOf("per", "consumer", List.of("consumer", "group"));
    Map<String, Long> groups = new LinkedHashMap<>();
    ConfigNode groupNode = config.child("groups");
    if (groupNode != null) {
      if (!groupNode.isObject()) {
        problems.expected(groupNode, "an object of group: limit");
      } else {
        ConfigReader g = ConfigReader.of(groupNode, problems);
        for (String group : groupNode.fields().keySet()) {
          groups.put(group, g.longValue(group, 1, 1, Long.MAX_VALUE / 4));
        }
      }
    }
    if ("group".equals(per) && groups.isEmpty()) {
      config.required("groups", "the limit of each counted group");
    }
    long cost = Cost.configured(config);
    String costHeader = config.string("cost-header", null);
    RedisSettings redis = RedisSettings.parse(config, "redis", true);
    RedisSettings.checkName(config, name);
    int status = config.integer("status", 429, 400, 599);
    config.finish();
    if (redis == null) {
      return null; // reported by RedisSettings
    }
    return new QuotaConfig(
        name,
        limit,
        "month".equals(period),
        zone,
        "group".equals(per),
        groups,
        cost,
        costHeader,
        redis,
        status);
  }

  @Override
  public Plugin create(QuotaConfig config, PluginContext context) {
    Map<String, List<String>> groups = new HashMap<>();
    for (ConsumerSpec c : context.consumers()) {
      groups.put(c.name(), c.groups());
    }
    return new QuotaPlugin(config, RedisStore.of(context, config.redis().url()), groups);
  }
}
