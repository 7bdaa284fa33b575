package io.portico.observe.alert;

import io.portico.config.AlertsConfig;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One notifier behind its bounded queue and its own thread. {@link #offer} never blocks: a full
 * queue drops the notification and counts it. The thread delivers one notification at a time,
 * retrying a retryable failure {@code retries} times after {@code backoff}, doubled each time (at
 * most a minute), then counts it as failed and takes the next one; so a notifier that is down
 * delays only its own queue.
 */
final class Delivery implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  /** Queued by {@link #closeWhenDelivered}: the thread ends when it takes it. */
  private static final Notification LAST =
      new Notification(false, "", "", java.util.Map.of(), Double.NaN, 0, "", null, null, "");

  /** The counts of one notifier, kept across reloads that change its settings. */
  static final class Stats {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
  }

  private final AlertsConfig.Notifier config;
  private final Notifier notifier;
  private final Stats stats;
  private final BlockingQueue<Notification> queue;
  private final Thread thread;
  private volatile boolean running = true;

  Delivery(AlertsConfig.Notifier config, Notifier notifier, Stats stats) {
    this.config = config;
    this.notifier = notifier;
    this.stats = stats;
    this.queue = new ArrayBlockingQueue<>(config.queue());
    this.thread = new Thread(this::run, "portico-alert-" + config.name());
    thread.setDaemon(true);
    thread.start();
  }

  static Delivery of(AlertsConfig.Notifier config, Stats stats) {
    Notifier n =
        switch (config.type()) {
          case WEBHOOK -> new WebhookNotifier(config);
          case SLACK -> new SlackNotifier(config);
          case LOG -> new LogNotifier();
        };
    return new Delivery(config, n, stats);
  }

  AlertsConfig.Notifier config() {
    return config;
  }

  /** Queues {@code n}; false (and counted) when the queue is full. */
  boolean offer(Notification n) {
    if (queue.offer(n)) {
      return true;
    }
    stats.dropped.incrementAndGet();
    log.warn("alert notifier {}: queue full, notification of {} dropped", config.name(), n.rule());
    return false;
  }

  private void run() {
    while (running) {
      Notification n;
      try {
        n = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (n == LAST) {
        return;
      }
      try {
        deliver(n);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        stats.failed.incrementAndGet();
        log.warn("alert notifier {} failed on {}", config.name(), n.rule(), e);
      }
    }
  }

  private void deliver(Notification n) throws InterruptedException {
    Duration wait = config.backoff();
    for (int attempt = 0; ; attempt++) {
      try {
        notifier.send(n);
        stats.sent.incrementAndGet();
        return;
      } catch (Notifier.Failed e) {
        if (!e.retryable() || attempt >= config.retries() || !running) {
          stats.failed.incrementAndGet();
          log.warn(
              "alert notifier {}: {} notification of {} not delivered: {}",
              config.name(),
              n.status(),
              n.rule(),
              e.getMessage());
          return;
        }
        stats.retried.incrementAndGet();
        Thread.sleep(wait.toMillis());
        wait =
            wait.multipliedBy(2).compareTo(Duration.ofMinutes(1)) > 0
                ? Duration.ofMinutes(1)
                : wait.multipliedBy(2);
      }
    }
  }

  /**
   * Ends the thread once it has delivered what is queued now (each with its retries), so that a
   * notifier a reload removed still sends the notifications made before; at once if the queue is
   * full.
   */
  void closeWhenDelivered() {
    if (!queue.offer(LAST)) {
      close();
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
