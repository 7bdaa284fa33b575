package io.portico.plugins.builtin;

/**
 * The config of {@code echo}.
 *
 * @param status the status of the answer
 */
public record EchoConfig(int status) {}
