package io.portico.observe.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log line per notification on the {@code io.portico.alerts} logger: WARN firing, INFO resolved.
 */
final class LogNotifier implements Notifier {

  private static final Logger log = LoggerFactory.getLogger("io.portico.alerts");

  @Override
  public void send(Notification n) {
    if (n.firing()) {
      log.warn("alert firing: {} {} since {}", n.summary(), n.labels(), n.startsAt());
    } else {
      log.info(
          "alert resolved: {} {} ({} to {})", n.summary(), n.labels(), n.startsAt(), n.endsAt());
    }
  }
}
