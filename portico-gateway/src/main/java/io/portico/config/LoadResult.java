package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ConfigLoader} read from one document.
 *
 * @param root the document as a located tree, or null when the document could not be read or is not
 *     valid YAML/JSON (then {@code problems} says why)
 * @param problems syntax errors, duplicate keys and unset environment variables; the parser adds
 *     its own problems to the same instance
 * @param text the document as read, before interpolation; empty when the file could not be read
 */
public record LoadResult(@Nullable ConfigNode root, Problems problems, String text) {}
