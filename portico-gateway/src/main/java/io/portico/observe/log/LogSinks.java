package io.portico.observe.log;

import io.portico.config.AccessLogConfig.FileSink;
import io.portico.config.AccessLogConfig.HttpSink;
import io.portico.config.AccessLogConfig.NatsSink;
import io.portico.config.AccessLogConfig.SinkConfig;
import io.portico.config.AccessLogConfig.StdoutSink;
import io.portico.config.AccessLogConfig.SyslogSink;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/** The one place where a sink's config becomes a running {@link QueuedSink}. */
final class LogSinks {

  /** Lines handed to a sink's deliver at most, for sinks without their own batch size. */
  private static final int BATCH = 512;

  private LogSinks() {}

  static QueuedSink start(SinkConfig config) throws IOException {
    if (config instanceof FileSink f) {
      return queued(f, new FileLogSink(f, Clock.systemUTC()), BATCH, Duration.ZERO);
    }
    if (config instanceof HttpSink h) {
      return queued(h, new HttpLogSink(h), h.batchSize(), h.flushInterval());
    }
    if (config instanceof SyslogSink s) {
      return queued(s, SyslogLogSink.of(s), BATCH, Duration.ZERO);
    }
    if (config instanceof NatsSink n) {
      return queued(n, new NatsLogSink(n), BATCH, Duration.ZERO);
    }
    StdoutSink s = (StdoutSink) config;
    return queued(s, new StreamLogSink(System.out), BATCH, Duration.ZERO);
  }

  private static QueuedSink queued(SinkConfig c, LogSink sink, int batch, Duration linger) {
    return new QueuedSink(c.name(), c.type(), sink, c.queue(), batch, linger);
  }
}
