/**
 * The objects written through the admin API and their history: {@link io.portico.store.ObjectLayer}
 * (services, routes, consumers and global plugins put or deleted by name), {@link
 * io.portico.store.LayeredConfig} (the config file with that layer over it, as one document for the
 * config parser), {@link io.portico.store.ConfigStore} (where the layer's versions and the audit
 * log are kept; {@link io.portico.store.DirectoryConfigStore} by default) and {@link
 * io.portico.store.ObjectJson} (an object's JSON form and ETag).
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.store;

import org.jspecify.annotations.NullMarked;
