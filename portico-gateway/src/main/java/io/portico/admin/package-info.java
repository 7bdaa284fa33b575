/**
 * The admin listener: {@link io.portico.admin.AdminServer}, {@link io.portico.admin.AdminHandler}
 * (status, readiness, config, routes, reload, quotas), {@link io.portico.admin.ObjectEndpoints}
 * (services, routes, consumers and global plugins written at run time; their history and audit in
 * {@link io.portico.admin.HistoryEndpoints}), {@link io.portico.admin.AdminAuth} (tokens and
 * roles), {@link io.portico.admin.AdminHosts} and {@link io.portico.admin.AdminApi}, what it reads
 * and triggers in the running gateway.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.admin;

import org.jspecify.annotations.NullMarked;
