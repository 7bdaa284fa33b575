/**
 * {@code discovery: { kind: file }}: the endpoints listed in a YAML or JSON file, read again
 * whenever the file changes.
 */
@NullMarked
package io.portico.upstream.discovery.file;

import org.jspecify.annotations.NullMarked;
