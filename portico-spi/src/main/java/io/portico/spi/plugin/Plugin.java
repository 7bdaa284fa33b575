package io.portico.spi.plugin;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A configured plugin instance: immutable, shared by every exchange of a config snapshot, and
 * called on the exchange's event loop. It must never block; work that waits returns {@link
 * Outcome#await} and resumes on the event loop when the stage completes.
 *
 * <p>A plugin declares the phases it takes part in with {@link #phases()}; the gateway calls only
 * those methods, so a plugin overrides exactly the ones it lists.
 *
 * <p><b>Lifecycle.</b> Every config the gateway loads (at start-up and on each reload) is compiled
 * into a snapshot, with new plugin instances made by {@link PluginFactory#create}:
 *
 * <pre>
 *   create ─▶ serves the exchanges of its snapshot ─▶ (reload or shutdown) ─▶ its exchanges finish
 *                                                                          ─▶ close(), once
 * </pre>
 *
 * <p>An exchange keeps the snapshot it started with to the end, so after a reload the old instances
 * go on serving the exchanges already running, and are closed when the last of them has finished.
 * Background work follows the same shape:
 *
 * <ul>
 *   <li>work of one instance (a timer, a connection only it uses) is started in {@link
 *       PluginFactory#create}, for example on {@code context.eventLoops().next()}, and stopped in
 *       {@link #close()};
 *   <li>work that must outlive a reload (a client of a shared store, a key cache that keeps
 *       refreshing) lives in {@link PluginContext#shared}: created once, reused by the instances of
 *       every later snapshot, and closed when the gateway shuts down, after every instance.
 * </ul>
 */
public interface Plugin extends AutoCloseable {

  /** The phases this plugin takes part in. */
  Set<Phase> phases();

  /**
   * Request headers this plugin sets for the upstream to trust: who the caller is, what a verified
   * token or the identity provider says (claim headers, an ID token, userinfo). The gateway removes
   * client-sent copies of every such header of every plugin of the config from every request, on
   * every route, before any plugin runs, so an upstream can trust them whichever route a request
   * took. The shared identity headers ({@link Identity#UPSTREAM_HEADERS}) are always removed and
   * need not be listed. Asked once, when the config is compiled.
   */
  default Set<String> identityHeaders() {
    return Set.of();
  }

  /** {@link Phase#REWRITE}: may change the request, or reply locally. */
  default Outcome rewrite(Exchange exchange) {
    return Outcome.proceed();
  }

  /** {@link Phase#ACCESS}: decides whether the request passes; may reply locally. */
  default Outcome access(Exchange exchange) {
    return Outcome.proceed();
  }

  /** {@link Phase#RESPONSE}: may change {@link Exchange#response()}'s status and headers. */
  default void response(Exchange exchange) {}

  /**
   * {@link Phase#RESPONSE_BODY}: called after the RESPONSE phase for a response with a body (from
   * the upstream; local replies and problem responses are not transformed), with the head in {@link
   * Exchange#response()}. Returns how to transform this exchange's body, or null to leave it as it
   * is. A route whose plugins return null, or that has no such plugin, streams its bodies untouched
   * at no extra cost.
   */
  default @Nullable BodyTransform responseBody(Exchange exchange) {
    return null;
  }

  /** {@link Phase#LOG}: observes the finished exchange. Must not throw or block. */
  default void log(Exchange exchange) {}

  /**
   * Stops what this instance started and releases what it alone holds. Called once by the gateway,
   * never on an event loop:
   *
   * <ul>
   *   <li>after a reload replaced this instance's snapshot, once every exchange that started under
   *       it has finished: no phase method of this instance runs after {@code close()};
   *   <li>at shutdown, once the exchanges in flight have finished or {@code
   *       runtime.shutdown-timeout} has passed;
   *   <li>when the config it was made for is not applied (another plugin failed to start).
   * </ul>
   *
   * <p>A stage this instance returned from {@link Outcome#await} may still complete after {@code
   * close()} (its exchange ended early: the client left); its result is ignored. An exception is
   * logged and changes nothing else: the other instances are closed, the reload or shutdown goes
   * on. Resources from {@link PluginContext#shared} are not closed here. The default does nothing.
   */
  @Override
  default void close() {}
}
