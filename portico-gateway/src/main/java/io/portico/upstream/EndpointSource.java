package io.portico.upstream;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a service's endpoints come from: the targets written in the config, or (one kind each) a
 * registry that is watched. The proxy reads {@link #endpoints()} on every pick, so a source may
 * change its list at any time by publishing a new immutable list; that read is cheap and
 * thread-safe (a volatile field).
 *
 * <p>Lifecycle, driven by {@link EndpointSources} on the start-up or reload thread, never on an
 * event loop:
 *
 * <pre>
 *   created by its kind ─▶ start() ─▶ endpoints published, listeners told ─▶ close()
 *        (config compiled)   (before the snapshot      (any thread)          (after a snapshot
 *                             that uses it is active)                        without it is active,
 *                                                                             or at shutdown)
 * </pre>
 *
 * <p>A source is kept across reloads while its service's config for it is unchanged, so its watches
 * and warm state survive. After {@link #close()} it stops watching but still answers {@link
 * #endpoints()} with its last list: exchanges that started under an older snapshot may still pick
 * from it.
 *
 * <p>Most sources extend {@link PublishingEndpointSource}, which keeps the list, the status and the
 * listeners.
 */
public interface EndpointSource extends AutoCloseable {

  /** The endpoints requests may go to now; empty when none is available. */
  List<Endpoint> endpoints();

  /** What the source knows of its registry now, for the admin API and logs. */
  Status status();

  /**
   * Asks to be told when {@link #endpoints()} changes. Listeners are called on whichever thread
   * published the change, possibly several at once, and must return quickly without blocking.
   */
  void addListener(Listener listener);

  void removeListener(Listener listener);

  /**
   * Begins watching. Called once, on the reload thread, before the snapshot that uses the source
   * becomes active; it may block to fetch a first list, so that the snapshot starts with endpoints.
   */
  default void start() {}

  /** Stops watching and releases what the source holds. Idempotent. */
  @Override
  default void close() {}

  /** Told that a source's endpoints changed; reads the new list from the source. */
  @FunctionalInterface
  interface Listener {
    void onEndpointsChanged(EndpointSource source);
  }

  /** The states a source can be in. */
  enum State {
    /** Created and starting; no list was fetched yet. */
    STARTING,
    /** The last fetch succeeded and gave at least one endpoint. */
    READY,
    /**
     * The registry could not be read; the last known endpoints are kept and still used ({@link
     * Status#lastError()} says why).
     */
    STALE,
    /** No endpoint: the registry lists none, or it failed before a first list. */
    EMPTY,
    /** Closed: no longer watched; the last list is still answered. */
    CLOSED
  }

  /**
   * A source's state as it can be shown.
   *
   * @param changedAt when the state or the endpoint list last changed
   * @param endpoints how many endpoints the source has now
   * @param lastError why the last fetch failed, or null when it succeeded
   * @param lastUpdate when the registry last gave a list (even an unchanged one), or null when it
   *     never did
   * @param leftOut what the registry's last list had that is not used (addresses refused by the
   *     service's address filter, endpoints over its {@code max-endpoints}), in words; null when
   *     nothing was left out
   */
  record Status(
      State state,
      Instant changedAt,
      int endpoints,
      @Nullable String lastError,
      @Nullable Instant lastUpdate,
      @Nullable String leftOut) {

    /** A status with nothing left out. */
    public Status(
        State state,
        Instant changedAt,
        int endpoints,
        @Nullable String lastError,
        @Nullable Instant lastUpdate) {
      this(state, changedAt, endpoints, lastError, lastUpdate, null);
    }
  }
}
