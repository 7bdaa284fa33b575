package io.portico.plugins.ratelimit;

import io.portico.spi.config.CalendarQuota;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code quota}: an allowance per consumer (or consumer group) per calendar or rolling hour, day or
 * month, counted in Redis so that every instance shares it and a restart forgets nothing. See
 * {@link QuotaPlugin}.
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
    String name = config.string("name", "default");
    CalendarQuota quota = CalendarQuota.readTiers(config, "an integer from 1");
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
        quota.tier(),
        quota.zone(),
        quota.perGroup(),
        quota.groupTiers(),
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
