package io.portico.config;

import io.portico.spi.config.ConfigNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A validated configuration: what {@link ConfigParser} produces from a document when it has no
 * problems. Immutable. The {@code snapshot} package compiles it into the runtime structures
 * (router, plugin chains, upstream pools).
 *
 * @param tracing the {@code tracing} section (off by default)
 * @param source the parsed document, kept for {@code GET /config}
 * @param version a digest of the document text, shown by the admin API and the logs
 * @param metrics what is measured and how {@code /metrics} is served
 * @param alerts the {@code alerts} section, or null when the config has none
 * @param portal the developer portal ({@code portal})
 */
public record GatewayConfig(
    List<ListenerConfig> listeners,
    AdminConfig admin,
    List<ServiceConfig> services,
    List<RouteConfig> routes,
    List<PluginSpec> plugins,
    List<ConsumerConfig> consumers,
    LimitsConfig limits,
    ForwardingConfig forwarding,
    RuntimeConfig runtime,
    TracingConfig tracing,
    ConfigNode source,
    String version,
    MetricsConfig metrics,
    @Nullable AlertsConfig alerts,
    PortalConfig portal) {}
