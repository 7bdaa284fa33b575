/**
 * The {@code compression} plugin: response bodies encoded with {@code gzip} or {@code deflate} as
 * the client's {@code Accept-Encoding} prefers ({@code AcceptEncoding}), streaming through the
 * JDK's deflater ({@code CompressingStream}), each chunk flushed.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.compression;

import org.jspecify.annotations.NullMarked;
