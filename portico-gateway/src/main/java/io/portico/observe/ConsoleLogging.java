package io.portico.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;

/**
 * The gateway's default logging: human-readable lines on stderr (stdout carries the banner and the
 * JSON access log), {@code io.portico} at {@code PORTICO_LOG_LEVEL} (default INFO), everything else
 * at WARN.
 *
 * <p>Logback finds this class through {@link java.util.ServiceLoader} before it looks for XML, so
 * start-up never loads an XML parser. A Logback file named by {@code -Dlogback.configurationFile},
 * or a {@code logback-test.xml} on the class path, takes precedence: this configurator then steps
 * aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || ConsoleLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    install(context, System.getenv("PORTICO_LOG_LEVEL"));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Adds the stderr appender and the levels to {@code context}. */
  static void install(LoggerContext context, String porticoLevel) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();

    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("STDERR");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();

    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(appender);
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.portico").setLevel(porticoLevel(porticoLevel));
  }

  /** The level named by {@code PORTICO_LOG_LEVEL}; INFO when unset or not a level name. */
  static Level porticoLevel(String name) {
    if (name == null || name.isBlank()) {
      return Level.INFO;
    }
    return Level.toLevel(name.trim().toUpperCase(Locale.ROOT), Level.INFO);
  }
}
