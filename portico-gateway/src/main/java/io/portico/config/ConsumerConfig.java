package io.portico.config;

import io.portico.spi.config.ConfigNode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A consumer: a known caller of the APIs. Credentials are read by the authentication plugins.
 *
 * @param customId an external identifier forwarded upstream, or null
 * @param credentials credential kind (e.g. {@code key-auth}) to its raw config
 */
public record ConsumerConfig(
    String name,
    @Nullable String customId,
    List<String> groups,
    Map<String, ConfigNode> credentials) {}
