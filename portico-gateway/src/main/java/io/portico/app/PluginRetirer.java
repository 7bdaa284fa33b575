package io.portico.app;

import io.portico.plugin.PluginInstances;
import io.portico.snapshot.Snapshot;
import io.portico.snapshot.SnapshotHolder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown step of a snapshot's plugins: a snapshot replaced by a reload is retired by the
 * {@link SnapshotHolder} once its last exchange has finished, and its plugins are closed here on
 * the {@code portico-retire} thread, never on an event loop (inline once the thread has stopped).
 */
final class PluginRetirer {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** Closes the plugins of retired snapshots, off the event loops, one snapshot at a time. */
  private final ExecutorService retirer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "portico-retire");
            t.setDaemon(true);
            return t;
          });

  /** Closes the plugins of a retired snapshot on the retire thread (inline once it has stopped). */
  void retire(Snapshot retired) {
    Runnable close = () -> PluginInstances.close(retired.plugins(), retired.version());
    try {
      retirer.execute(close);
    } catch (RejectedExecutionException stopped) {
      close.run();
    }
  }

  /** Waits, within bounds, for the plugins of retired snapshots to be closed. */
  void awaitRetirements() {
    retirer.shutdown();
    try {
      if (!retirer.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("plugins still closing after 10 s; shutting down without waiting for them");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
