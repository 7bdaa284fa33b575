package io.portico.spi.plugin;

import java.util.Set;

/**
 * A configured plugin instance: immutable, shared by every exchange of a config snapshot, and
 * called on the exchange's event loop. It must never block; work that waits returns {@link
 * Outcome#await} and resumes on the event loop when the stage completes.
 *
 * <p>A plugin declares the phases it takes part in with {@link #phases()}; the gateway calls only
 * those methods, so a plugin overrides exactly the ones it lists.
 */
public interface Plugin {

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
  default BodyTransform responseBody(Exchange exchange) {
    return null;
  }

  /** {@link Phase#LOG}: observes the finished exchange. Must not throw or block. */
  default void log(Exchange exchange) {}
}
