package io.portico.upstream.discovery.file;

import io.portico.upstream.discovery.DiscoveryLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of {@code discovery: { kind: file }}.
 *
 * @param path the absolute path of the file of endpoints
 * @param interval how often the file's size, modification time and identity are compared with those
 *     of the last read
 * @param allowEmpty whether a file listing no endpoint empties the service
 * @param limits the addresses and the number of endpoints the service accepts
 */
public record FileSettings(
    Path path, Duration interval, boolean allowEmpty, DiscoveryLimits limits) {}
