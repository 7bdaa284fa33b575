/**
 * The template language of every plugin that writes values taken from the exchange: header values,
 * paths, query parameters, JSON bodies. {@link io.portico.template.Template#compile} turns config
 * text such as {@code user=${consumer.name:-anonymous}} into an immutable template once per
 * snapshot, reporting every problem with its file, line and column; rendering appends to a buffer
 * the caller passes in, on the exchange's event loop. The syntax and every variable are described
 * in {@code docs/templates.md}.
 *
 * <p>Depends on nothing of the gateway but the SPI, so built-in plugins may use it.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.template;

import org.jspecify.annotations.NullMarked;
