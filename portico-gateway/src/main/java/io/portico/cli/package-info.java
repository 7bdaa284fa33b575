/**
 * The command line ({@code portico run / validate / version / hash-key / hash-password}, picocli),
 * the start-up banner and the reload triggers (file watch, {@code SIGHUP}).
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.cli;

import org.jspecify.annotations.NullMarked;
