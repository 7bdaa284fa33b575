package io.portico.spi.plugin;

/**
 * The phases of an exchange, in the order they run.
 *
 * <pre>
 *   request in ─▶ REWRITE ─▶ ACCESS ─▶ (upstream) ─▶ RESPONSE ─▶ RESPONSE_BODY ─▶ response out
 *                    │          │                                    │
 *                    └──────────┴── a {@link Reply} skips the upstream ┘ ─▶ LOG (always)
 * </pre>
 *
 * <ul>
 *   <li>{@link #REWRITE}: change the request (headers, path) before access decisions.
 *   <li>{@link #ACCESS}: decide whether the request may pass (auth, limits); may reply locally.
 *   <li>{@link #RESPONSE}: transform the response head (status, headers), whether it came from the
 *       upstream, a plugin's reply or a gateway error. May not reply.
 *   <li>{@link #RESPONSE_BODY}: right after RESPONSE, for a response that has a body: may return a
 *       {@link BodyTransform} that streams or rewrites the body on its way to the client.
 *   <li>{@link #LOG}: runs exactly once per exchange after the response is complete or the exchange
 *       failed; may not change anything.
 * </ul>
 *
 * Within a phase, plugins run by descending priority (see {@link PluginFactory#priority()}).
 */
public enum Phase {
  REWRITE,
  ACCESS,
  RESPONSE,
  RESPONSE_BODY,
  LOG
}
