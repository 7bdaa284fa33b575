/**
 * {@code discovery: { kind: etcd }}: instances written as JSON under a key prefix of etcd v3,
 * watched through etcd's JSON gateway on the JDK HTTP client.
 */
@NullMarked
package io.portico.upstream.discovery.etcd;

import org.jspecify.annotations.NullMarked;
