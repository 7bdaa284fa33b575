package io.portico.snapshot;

import io.portico.spi.config.Problems;

/**
 * What a reload did: whether the new config was applied, the config version serving afterwards (the
 * old one when it was rejected) and the problems found (every one when it was rejected).
 */
public record ReloadResult(boolean applied, String version, Problems problems) {}
