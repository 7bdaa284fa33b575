package io.portico.cli;

import io.portico.app.Gateway;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a running gateway reload besides {@code POST /reload}: {@code SIGHUP}, and changes to
 * the config file (watched through its directory, debounced so that an editor's several writes
 * cause one reload). Reloads run on one background thread, never on an event loop.
 *
 * <p>Nothing a reload or a file event throws ends a trigger: a reload that fails is logged as an
 * error, with its cause, and the gateway keeps serving its current config; the watcher and the
 * reload thread go on, so the next change or {@code SIGHUP} reloads again.
 */
final class ReloadTriggers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReloadTriggers.class);
  private static final long DEBOUNCE_MILLIS = 300;

  private final Runnable reload;
  private final ScheduledExecutorService reloader =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "portico-reload");
            t.setDaemon(true);
            return t;
          });
  private @Nullable WatchService watcher;
  private @Nullable ScheduledFuture<?> pending;

  ReloadTriggers(Runnable reload) {
    this.reload = reload;
  }

  static ReloadTriggers install(Gateway gateway, boolean watchFile) {
    ReloadTriggers t = new ReloadTriggers(gateway::reload);
    t.installSighup();
    if (watchFile) {
      t.watch(gateway.configFile().toAbsolutePath());
    }
    return t;
  }

  /** Reloads, logging rather than losing whatever the reload throws. */
  private void reload(String why) {
    log.info("reloading config ({})", why);
    try {
      reload.run();
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      log.error("config reload ({}) failed; still serving the previous config", why, e);
    }
  }

  private synchronized void schedule(String why) {
    if (reloader.isShutdown()) {
      return;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    pending = reloader.schedule(() -> reload(why), DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void installSighup() {
    Signals.handle("HUP", () -> schedule("SIGHUP"));
  }

  /** Watches {@code file} (through its directory) and reloads when it changes. */
  void watch(Path file) {
    Path dir = file.getParent();
    if (dir == null) {
      log.warn("cannot watch {} for changes: it has no directory", file);
      return;
    }
    WatchService watcher;
    try {
      watcher = FileSystems.getDefault().newWatchService();
      this.watcher = watcher;
      dir.register(
          watcher,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException e) {
      log.warn("cannot watch {} for changes: {}", file, e.toString());
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  WatchKey key = watcher.take();
                  try {
                    for (WatchEvent<?> ev : key.pollEvents()) {
                      Object ctx = ev.context();
                      if (ctx instanceof Path p && dir.resolve(p).equals(file)) {
                        schedule("file changed");
                      }
                    }
                  } catch (RuntimeException e) {
                    log.error("watching {} failed on an event; still watching", file, e);
                  }
                  key.reset();
                }
              } catch (InterruptedException | ClosedWatchServiceException e) {
                // stopping
              } catch (RuntimeException e) {
                log.error("watching {} stopped; reload with SIGHUP or POST /reload", file, e);
              }
            },
            "portico-config-watch");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    reloader.shutdownNow();
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
