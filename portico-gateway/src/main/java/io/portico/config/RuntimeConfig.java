package io.portico.config;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Process-level settings.
 *
 * @param ioThreads event-loop threads (0 = one per available processor)
 * @param shutdownTimeout how long a graceful shutdown waits for in-flight exchanges
 * @param accessLog the access log: its sinks, fields, sampling and redaction
 * @param watchConfig whether the config file is watched and reloaded on change
 * @param pluginDir directory of extra plugin jars, or null
 */
public record RuntimeConfig(
    int ioThreads,
    Duration shutdownTimeout,
    AccessLogConfig accessLog,
    boolean watchConfig,
    @Nullable Path pluginDir) {

  public static final RuntimeConfig DEFAULTS =
      new RuntimeConfig(0, Duration.ofSeconds(30), AccessLogConfig.DEFAULTS, true, null);
}
