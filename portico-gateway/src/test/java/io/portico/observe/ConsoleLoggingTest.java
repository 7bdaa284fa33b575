package io.portico.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

class ConsoleLoggingTest {

  @Test
  void logsPorticoAtTheConfiguredLevelAndEverythingElseAtWarnToStderr() {
    LoggerContext context = new LoggerContext();

    ConsoleLogging.install(context, "debug");

    Appender<ILoggingEvent> appender =
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    assertThat(appender).isInstanceOf(ConsoleAppender.class);
    assertThat(((ConsoleAppender<ILoggingEvent>) appender).getTarget()).isEqualTo("System.err");
    assertThat(appender.isStarted()).isTrue();
    assertThat(context.getLogger("io.portico.proxy.HttpExchange").getEffectiveLevel())
        .isEqualTo(Level.DEBUG);
    assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("org.example").getEffectiveLevel()).isEqualTo(Level.WARN);
    context.stop();
  }

  @Test
  void unsetOrUnknownLevelMeansInfo() {
    assertThat(ConsoleLogging.porticoLevel(null)).isEqualTo(Level.INFO);
    assertThat(ConsoleLogging.porticoLevel(" ")).isEqualTo(Level.INFO);
    assertThat(ConsoleLogging.porticoLevel("loud")).isEqualTo(Level.INFO);
    assertThat(ConsoleLogging.porticoLevel(" trace ")).isEqualTo(Level.TRACE);
  }

  @Test
  void stepsAsideForALogbackFileOnTheClassPath() {
    // The test class path carries logback-test.xml, as a user's own Logback setup would.
    LoggerContext context = new LoggerContext();
    ConsoleLogging configurator = new ConsoleLogging();
    configurator.setContext(context);

    assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders())
        .isExhausted();
  }
}
