package io.portico.upstream;

import java.io.IOException;

/**
 * The gateway closed an upstream connection because the upstream broke the protocol or one of the
 * gateway's limits on what a peer may send (a flood of control frames, an oversized header block, a
 * bad HPACK table update...). The calls on it had no response; an idempotent request whose body was
 * not sent is tried again on another connection, as on a reused connection the upstream closed.
 */
public final class UpstreamViolationException extends IOException {

  private static final long serialVersionUID = 1L;

  public UpstreamViolationException(String message, Throwable cause) {
    super(message, cause);
  }
}
