package io.portico.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records what is logged at WARN or above, anywhere, while it is open: for tests asserting that bad
 * input is answered without a warning or a stack trace in the log.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final Logger root;

  private LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    setContext(context);
    setName("capture");
    start();
    root.addAppender(this);
  }

  public static LogCapture capture() {
    return new LogCapture();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      events.add(event);
    }
  }

  /** The messages logged at WARN or above, with the class of their exception when they had one. */
  public List<String> warnings() {
    return events.stream()
        .map(
            e ->
                e.getLevel()
                    + " "
                    + e.getLoggerName()
                    + ": "
                    + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : " [" + e.getThrowableProxy().getClassName() + "]"))
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
