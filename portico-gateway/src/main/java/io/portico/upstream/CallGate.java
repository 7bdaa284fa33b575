package io.portico.upstream;

import org.jspecify.annotations.Nullable;

/**
 * What a service lets through: its circuit breaker. {@link #OPEN} lets everything through and
 * counts nothing.
 *
 * <p>One call, in order, on its event loop:
 *
 * <pre>
 *   admit() ─▶ null: admitted ─┬▶ startWaiting()/stopWaiting() around each wait for a connection
 *           └▶ a failure:       ├▶ tryOpenConnection() for each connection the pool opens for it
 *              refused          └▶ onCallEnd(failure, status), exactly once
 * </pre>
 *
 * <p>Shared by every event loop: implementations are thread-safe and do not block.
 */
public interface CallGate {

  /** No breaker: admits every call, limits nothing. */
  CallGate OPEN =
      new CallGate() {
        @Override
        public @Nullable CallFailure admit() {
          return null;
        }

        @Override
        public boolean startWaiting() {
          return true;
        }

        @Override
        public void stopWaiting() {}

        @Override
        public boolean tryOpenConnection() {
          return true;
        }

        @Override
        public void connectionClosed() {}

        @Override
        public void onCallEnd(@Nullable CallFailure failure, int status) {}
      };

  /**
   * A call starts: null when it may go on (then {@link #onCallEnd} must follow once), else why not:
   * {@link CallFailure#CIRCUIT_OPEN} or {@link CallFailure#OVERLOADED}.
   */
  @Nullable CallFailure admit();

  /** An admitted call waits for a connection; false when too many do (the call then fails). */
  boolean startWaiting();

  /** The wait that {@link #startWaiting} began ended. */
  void stopWaiting();

  /** A pool is about to open a connection for the service; false when it has too many. */
  boolean tryOpenConnection();

  /** A connection that {@link #tryOpenConnection} allowed closed (or never opened). */
  void connectionClosed();

  /**
   * An admitted call ended.
   *
   * @param failure why it failed, or null when a response arrived
   * @param status the response status, or 0
   */
  void onCallEnd(@Nullable CallFailure failure, int status);
}
