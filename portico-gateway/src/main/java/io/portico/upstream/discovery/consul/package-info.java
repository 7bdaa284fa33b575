/**
 * {@code discovery: { kind: consul }}: the passing instances of a Consul service, watched with
 * blocking queries on the JDK HTTP client.
 */
@NullMarked
package io.portico.upstream.discovery.consul;

import org.jspecify.annotations.NullMarked;
