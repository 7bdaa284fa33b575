package io.portico.upstream;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of most endpoint sources: keeps the published list, the status and the listeners, so a
 * kind only fetches and calls {@link #publish} or {@link #failed}.
 *
 * <pre>{@code
 * final class DnsEndpointSource extends PublishingEndpointSource {
 *   void onAnswer(List<Endpoint> resolved) { publish(resolved); }   // READY, or EMPTY when none
 *   void onError(Throwable e) { failed(e.toString()); }             // STALE: the last list stays
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #publish} and {@link #failed} may be called from any thread. Reads of
 * {@link #endpoints()} and {@link #status()} are one volatile read each. Listeners are called on
 * the publishing thread, after the new list is visible, and only when the list differs from the
 * last one; an unchanged list keeps its identity, so a balancer's cached schedule stays valid.
 */
public abstract class PublishingEndpointSource implements EndpointSource {

  private static final Logger log = LoggerFactory.getLogger(PublishingEndpointSource.class);

  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Clock clock;
  private volatile List<Endpoint> endpoints = List.of();
  private volatile Status status;
  private boolean closed;

  protected PublishingEndpointSource() {
    this(Clock.systemUTC());
  }

  protected PublishingEndpointSource(Clock clock) {
    this.clock = clock;
    this.status = new Status(State.STARTING, clock.instant(), 0, null, null);
  }

  @Override
  public final List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public final Status status() {
    return status;
  }

  @Override
  public final void addListener(Listener listener) {
    listeners.addIfAbsent(listener);
  }

  @Override
  public final void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /**
   * Makes {@code next} the endpoint list: the source is {@code READY}, or {@code EMPTY} when the
   * list is. Ignored once closed.
   */
  protected final void publish(List<Endpoint> next) {
    publish(next, null);
  }

  /**
   * As {@link #publish(List)}, with what the registry listed but {@code next} leaves out, shown as
   * the status's {@link Status#leftOut()}.
   */
  protected final void publish(List<Endpoint> next, @Nullable String leftOut) {
    List<Endpoint> copy = List.copyOf(next);
    boolean changed;
    synchronized (this) {
      if (closed) {
        return;
      }
      changed = !copy.equals(endpoints);
      if (changed) {
        endpoints = copy;
      }
      State state = copy.isEmpty() ? State.EMPTY : State.READY;
      Instant now = clock.instant();
      Instant at = changed || status.state() != state ? now : status.changedAt();
      status = new Status(state, at, copy.size(), null, now, leftOut);
    }
    if (changed) {
      notifyListeners();
    }
  }

  /**
   * The registry could not be read: the last endpoints are kept ({@code STALE}), or the source
   * stays {@code EMPTY} when it has none. Ignored once closed.
   *
   * @param reason what went wrong, shown as the status's last error
   */
  protected final void failed(String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      State state = endpoints.isEmpty() ? State.EMPTY : State.STALE;
      Instant at = status.state() == state ? status.changedAt() : clock.instant();
      status =
          new Status(state, at, endpoints.size(), reason, status.lastUpdate(), status.leftOut());
    }
  }

  /**
   * Stops the source: {@link #onClose()} runs once, listeners are forgotten, and the last list is
   * still answered.
   */
  @Override
  public final void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      status =
          new Status(
              State.CLOSED,
              clock.instant(),
              endpoints.size(),
              status.lastError(),
              status.lastUpdate(),
              status.leftOut());
    }
    listeners.clear();
    onClose();
  }

  /** Releases what the kind holds (watches, clients, timers). Called once, by {@link #close()}. */
  protected void onClose() {}

  private void notifyListeners() {
    for (Listener l : listeners) {
      try {
        l.onEndpointsChanged(this);
      } catch (RuntimeException e) {
        log.warn("an endpoint listener failed", e);
      }
    }
  }
}
