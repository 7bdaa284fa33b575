package io.portico.upstream.discovery;

import io.portico.upstream.Endpoint;
import io.portico.upstream.PublishingEndpointSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every source that watches a registry: the kind watches and reports what it got, and
 * this class applies the rules every kind shares.
 *
 * <pre>
 *   start() ─▶ watch() ─┬▶ answer(list)     a list: published; an empty one only with allow-empty,
 *     │ waits for the    │                  else the last known endpoints stay (STALE)
 *     │ first report     ├▶ unreachable(e)  registry down or timing out: the last list stays (STALE)
 *     │ (bounded)        └▶ garbage(e)      an answer that does not parse: logged, ignored (STALE)
 *     ▼
 *   close() ─▶ stopWatching(), the timer thread ends
 * </pre>
 *
 * <p>Every list passes the service's {@link DiscoveryLimits} first ({@link EndpointAdmission}):
 * addresses the address filter refuses and endpoints over {@code max-endpoints} are left out,
 * logged when that changes, and shown as the status's {@code leftOut}. A list of refused addresses
 * only counts as an empty answer.
 *
 * <p>The last known endpoints therefore keep serving through any registry failure; the status (with
 * its last error and last update) says how fresh they are. A kind retries after a failure with
 * {@link #retryDelay()}, exponential from {@link #MIN_RETRY} to {@link #MAX_RETRY}, reset by the
 * next answer.
 *
 * <p>Threading: each source owns one daemon timer thread ({@link #timer()}) for its retries and
 * polls; reports may come from any thread (HTTP client, resolver, watch callbacks). Nothing here
 * runs on, or blocks, an event loop of the proxy.
 */
public abstract class RegistrySource extends PublishingEndpointSource {

  /** The first delay before a retry after a failure. */
  public static final Duration MIN_RETRY = Duration.ofMillis(200);

  /** The longest delay between retries. */
  public static final Duration MAX_RETRY = Duration.ofSeconds(5);

  /** How long {@link #start()} waits for the registry's first report. */
  public static final Duration FIRST_FETCH = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(RegistrySource.class);

  private final String description;
  private final boolean allowEmpty;
  private final EndpointAdmission admission;
  private final ScheduledExecutorService timer;
  private final CountDownLatch firstReport = new CountDownLatch(1);
  private volatile boolean closing;
  private int failures;
  private @Nullable String lastProblem;
  private boolean warnedEmpty;
  private @Nullable String lastLeftOut;

  /**
   * @param description what is watched, for logs and thread names ({@code "dns users.internal"})
   * @param allowEmpty whether an empty answer empties the service
   * @param limits the addresses and the number of endpoints the service accepts
   */
  protected RegistrySource(String description, boolean allowEmpty, DiscoveryLimits limits) {
    this.description = description;
    this.allowEmpty = allowEmpty;
    this.admission = new EndpointAdmission(limits);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portico-discovery " + description);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Begins watching and waits (at most {@link #FIRST_FETCH}) for the registry's first report, so a
   * snapshot starts with endpoints when the registry answers; a registry that is down does not hold
   * the start-up back: the source starts {@code EMPTY} and keeps trying.
   */
  @Override
  public final void start() {
    timer.execute(this::watch);
    try {
      firstReport.await(FIRST_FETCH.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts the watch; runs once on the timer thread. The kind reports each outcome with {@link
   * #answer}, {@link #unreachable} or {@link #garbage}, and schedules what comes next on {@link
   * #timer()}.
   */
  protected abstract void watch();

  /** Stops the watch: cancels requests, closes clients. Called once, from {@link #close()}. */
  protected void stopWatching() {}

  /** The registry listed {@code listed}. */
  protected final void answer(List<Endpoint> listed) {
    EndpointAdmission.Admitted admitted = admission.admit(listed);
    List<Endpoint> endpoints = admitted.endpoints();
    noteLeftOut(admitted.note());
    synchronized (this) {
      failures = 0;
      if (lastProblem != null) {
        log.info("discovery {}: the registry answers again", description);
        lastProblem = null;
      }
    }
    if (endpoints.isEmpty() && !allowEmpty && !endpoints().isEmpty()) {
      report(
          (listed.isEmpty()
                  ? "the registry lists no endpoint"
                  : "the registry lists no usable endpoint (" + admitted.note() + ")")
              + "; the last known ones are kept (allow-empty: false)",
          false);
    } else {
      if (endpoints.isEmpty() && !allowEmpty) {
        warnEmptyOnce();
      } else {
        synchronized (this) {
          warnedEmpty = false;
        }
      }
      publish(endpoints, admitted.note());
    }
    firstReport.countDown();
  }

  /** Logs what an answer left out when it differs from what the last one did. */
  private void noteLeftOut(@Nullable String note) {
    boolean logIt;
    synchronized (this) {
      logIt = note != null && !note.equals(lastLeftOut);
      lastLeftOut = note;
    }
    if (logIt && !closing) {
      log.warn("discovery {}: {}", description, note);
    }
  }

  /** Logs once, until the registry lists an endpoint, that it lists none and none is known. */
  private void warnEmptyOnce() {
    boolean logIt;
    synchronized (this) {
      logIt = !warnedEmpty;
      warnedEmpty = true;
    }
    if (logIt && !closing) {
      log.warn(
          "discovery {}: the registry lists no endpoint and none is known yet; requests to the"
              + " service get 503 until it lists one",
          description);
    }
  }

  /** The registry could not be reached or did not answer in time. */
  protected final void unreachable(String reason) {
    report(reason, true);
  }

  /** The registry answered something that cannot be read; logged and ignored. */
  protected final void garbage(String reason) {
    report("unreadable answer: " + reason, true);
  }

  private void report(String reason, boolean failure) {
    boolean logIt;
    synchronized (this) {
      if (failure) {
        failures++;
      }
      logIt = !reason.equals(lastProblem);
      lastProblem = reason;
    }
    if (logIt && !closing) {
      log.warn(
          "discovery {}: {}; serving the last known {} endpoint(s)",
          description,
          reason,
          endpoints().size());
    }
    failed(reason);
    firstReport.countDown();
  }

  /** How long to wait before retrying after the failures reported since the last answer. */
  protected final synchronized Duration retryDelay() {
    long millis = MIN_RETRY.toMillis() << Math.min(Math.max(failures - 1, 0), 10);
    return Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
  }

  /** Runs {@code task} on the timer thread after {@code delay}, unless the source is closing. */
  protected final void schedule(Runnable task, Duration delay) {
    if (closing) {
      return;
    }
    try {
      timer.schedule(
          () -> {
            if (!closing) {
              task.run();
            }
          },
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** Whether {@link #close()} has begun: a kind stops its loops. */
  protected final boolean closing() {
    return closing;
  }

  @Override
  protected final void onClose() {
    closing = true;
    try {
      stopWatching();
    } finally {
      timer.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
