package io.portico.proxy;

/**
 * Where an {@link HttpExchange} is, one value at a time; every event the exchange gets is handled
 * according to it (and ignored when it does not apply: a late plugin stage, a chunk after a
 * failure).
 *
 * <pre>
 *   AWAITING_END ─▶ REQUEST_PHASES ─▶ UPSTREAM ─▶ RESPONDING ─▶ DONE
 *   (body-less head;   (checks, routing,   (the upstream     (the head is out;
 *    its end follows)   REWRITE, ACCESS)    call runs)        the body streams)
 *                            │                  └─▶ UPGRADED (101: raw relay) ─▶ DONE
 *                            └─ reply, refusal or failure ─▶ DONE
 * </pre>
 *
 * <p>Whether the request body has fully arrived is the one fact kept beside the state, since it
 * changes independently of it (a response may start, even end, before the request body does).
 */
enum ExchangeState {
  /** The head of a request without a body arrived; its empty end follows in the same read. */
  AWAITING_END,
  /** Checked and routed; the REWRITE and ACCESS plugins run (or wait for asynchronous work). */
  REQUEST_PHASES,
  /** The upstream call runs; nothing of the response has gone to the client. */
  UPSTREAM,
  /** The response head went to the client; its body streams. */
  RESPONDING,
  /** The upstream switched protocols: bytes are relayed both ways until either side closes. */
  UPGRADED,
  /** Finished: logged, observed, and the connection moved on. */
  DONE
}
