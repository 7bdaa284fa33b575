package io.portico.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resources that plugin instances share across config reloads (clients, caches), created on first
 * use and closed, in reverse order of creation, when the gateway shuts down. Thread-safe.
 */
public final class SharedResources implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedResources.class);

  private final ConcurrentHashMap<String, AutoCloseable> resources = new ConcurrentHashMap<>();
  private final List<AutoCloseable> created = Collections.synchronizedList(new ArrayList<>());

  /** The resource under {@code key}, created by {@code factory} when absent. */
  public <T extends AutoCloseable> T get(String key, Class<T> type, Supplier<T> factory) {
    AutoCloseable r =
        resources.computeIfAbsent(
            key,
            k -> {
              T made = factory.get();
              created.add(made);
              return made;
            });
    if (!type.isInstance(r)) {
      throw new IllegalStateException(
          "shared resource "
              + key
              + " is a "
              + r.getClass().getName()
              + ", not a "
              + type.getName());
    }
    return type.cast(r);
  }

  @Override
  public void close() {
    List<AutoCloseable> all;
    synchronized (created) {
      all = new ArrayList<>(created);
      created.clear();
    }
    Collections.reverse(all);
    for (AutoCloseable r : all) {
      try {
        r.close();
      } catch (Exception e) {
        log.warn("closing shared resource {} failed", r, e);
      }
    }
    resources.clear();
  }
}
