/**
 * What is recorded of a finished exchange and who observes it: {@link
 * io.portico.observe.ExchangeRecord}, {@link io.portico.observe.ExchangeObserver}, the access log
 * and the console logging setup.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.observe;

import org.jspecify.annotations.NullMarked;
