package io.portico.config;

/**
 * A service's endpoint source as configured: its kind and the settings the kind parsed. Two specs
 * are equal when their kinds are the same and their settings are equal; that is what keeps a
 * running source across a reload.
 */
public record DiscoverySpec(DiscoveryKind<?> kind, Object settings) {}
