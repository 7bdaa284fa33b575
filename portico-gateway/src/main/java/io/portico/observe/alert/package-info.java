/**
 * Built-in alerting: rules of the config's {@code alerts} section evaluated over the gateway's own
 * measurements on a thread of their own, alert states (pending, firing, resolved), silences, and
 * notifiers (signed webhook, Slack-compatible webhook, log line) that deliver from bounded queues
 * on their own threads. {@link io.portico.observe.alert.Alerting} is the entry point; the
 * composition root feeds it the exchanges and what it reads of the running gateway ({@link
 * io.portico.observe.alert.AlertSource}).
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.observe.alert;

import org.jspecify.annotations.NullMarked;
