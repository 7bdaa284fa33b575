package io.portico.upstream;

import io.portico.config.DiscoverySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running endpoint sources of a gateway, one per service, kept across reloads the way {@code
 * PluginContext.shared} keeps plugins' clients: a reload whose config leaves a service's source
 * unchanged gets the running source back, watches and warm state intact.
 *
 * <p>One compile and its outcome:
 *
 * <pre>
 *   begin()
 *     └▶ source(service, spec, context), per service: the running source when the spec is the
 *          │  same, else a new one, created and started (pending)
 *          ├▶ activate()  the snapshot is swapped in: running sources it does not use close
 *          └▶ discard()   the snapshot was rejected: the pending sources close
 * </pre>
 *
 * <p>Used by the start-up thread, then by reloads, which the gateway serialises; every method is
 * synchronized so that {@link #close()} may come from the shutdown thread.
 */
public final class EndpointSources implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EndpointSources.class);

  private record Entry(DiscoverySpec spec, EndpointSource source) {}

  /**
   * State that lives beside the sources with the same lifecycle (begin, activate or discard,
   * close), such as the services' active health checkers. Called under this object's lock.
   */
  public interface Companion extends AutoCloseable {
    void begin();

    void activate();

    void discard();

    @Override
    void close();
  }

  private final List<Companion> companions = new ArrayList<>();

  private Map<String, Entry> running = new LinkedHashMap<>();
  private Map<String, Entry> next = new LinkedHashMap<>();
  private boolean closed;

  /** Starts a compile: sources left pending by a compile that was never activated close. */
  public synchronized void begin() {
    discard();
    companions.forEach(Companion::begin);
  }

  /** Has {@code companion} follow this object's lifecycle from now on. */
  public synchronized void attach(Companion companion) {
    companions.add(companion);
  }

  /**
   * The source of {@code service} for the compile under way: the running one when its spec is
   * unchanged, else a new one, created and started. A kind that fails to create or start the source
   * is reported to {@code context} as a problem of {@code discovery}.
   */
  public synchronized EndpointSource source(
      String service, DiscoverySpec spec, EndpointSourceKind.Context context) {
    if (closed) {
      throw new IllegalStateException("endpoint sources are closed");
    }
    Entry kept = running.get(service);
    if (kept != null && kept.spec().equals(spec)) {
      next.put(service, kept);
      return kept.source();
    }
    Entry superseded = next.get(service);
    if (superseded != null && !isRunning(superseded.source())) {
      closeQuietly(superseded.source());
    }
    EndpointSource created = null;
    try {
      created = EndpointSourceKind.create(spec, context);
      created.start();
    } catch (RuntimeException e) {
      if (created != null) {
        closeQuietly(created);
      }
      context.problem(
          "discovery",
          "\""
              + spec.kind().name()
              + "\" (expected: an endpoint source that starts; it failed: "
              + e.getMessage()
              + ")");
      // The snapshot is rejected; an empty stand-in lets the compile report every other problem.
      created = new StaticEndpointSource(List.of());
    }
    next.put(service, new Entry(spec, created));
    return created;
  }

  /**
   * The compile's snapshot is active: its sources become the running ones, and every running source
   * it does not use closes.
   */
  public synchronized void activate() {
    Set<EndpointSource> used = Collections.newSetFromMap(new IdentityHashMap<>());
    next.values().forEach(e -> used.add(e.source()));
    List<EndpointSource> retired = new ArrayList<>();
    for (Entry e : running.values()) {
      if (!used.contains(e.source())) {
        retired.add(e.source());
      }
    }
    running = next;
    next = new LinkedHashMap<>();
    companions.forEach(Companion::activate);
    retired.forEach(EndpointSources::closeQuietly);
  }

  /** The compile's snapshot was rejected: the sources created for it close. */
  public synchronized void discard() {
    for (Entry e : next.values()) {
      if (!isRunning(e.source())) {
        closeQuietly(e.source());
      }
    }
    next = new LinkedHashMap<>();
    companions.forEach(Companion::discard);
  }

  /** The running source of each service, by service name. */
  public synchronized Map<String, EndpointSource> running() {
    Map<String, EndpointSource> out = new LinkedHashMap<>();
    running.forEach((name, e) -> out.put(name, e.source()));
    return Collections.unmodifiableMap(out);
  }

  /** Closes every source, running or pending (shutdown). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    discard();
    companions.forEach(Companion::close);
    running.values().forEach(e -> closeQuietly(e.source()));
    running = new LinkedHashMap<>();
  }

  private boolean isRunning(EndpointSource source) {
    for (Entry e : running.values()) {
      if (e.source() == source) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(EndpointSource source) {
    try {
      source.close();
    } catch (RuntimeException e) {
      log.warn("closing endpoint source {} failed", source, e);
    }
  }
}
