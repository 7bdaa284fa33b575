/**
 * Request routing as a library that knows nothing else of the gateway: {@link
 * io.portico.router.PathNormalizer} (a request-target into a normalized path, or a refusal), {@link
 * io.portico.router.Router} (hosts, literal paths in a segment trie, templates, regular
 * expressions, conditions and their precedence), {@link io.portico.router.PathTemplate} and {@link
 * io.portico.router.RoutePatterns} (the pattern syntax the configuration parser checks with).
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.router;

import org.jspecify.annotations.NullMarked;
