package io.portico.spi.plugin;

import io.portico.spi.config.ConfigNode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A consumer as configured under {@code consumers:}: a known caller of the APIs. Authentication
 * plugins read the credentials of their own kind (for example {@code credentials.key-auth}) and
 * validate them when they are created.
 *
 * @param customId an external identifier forwarded upstream, or null
 * @param credentials credential kind (the authentication plugin's name) to its raw config
 */
public record ConsumerSpec(
    String name,
    @Nullable String customId,
    List<String> groups,
    Map<String, ConfigNode> credentials) {}
