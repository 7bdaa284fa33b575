/**
 * What every discovered endpoint source shares: {@link
 * io.portico.upstream.discovery.RegistrySource} (answers, failures, garbage and the {@code
 * allow-empty} rule, retries with back-off, the first fetch that {@code start()} waits for) and
 * {@link io.portico.upstream.discovery.Registries} (the keys every kind reads and the helpers that
 * turn registry answers into endpoints). One sub-package per kind: {@code dns}, {@code consul},
 * {@code etcd}, {@code kubernetes}, {@code file}.
 */
@NullMarked
package io.portico.upstream.discovery;

import org.jspecify.annotations.NullMarked;
