package io.portico.observe.log;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Lines written to a stream (the process's stdout), flushed after each batch. The stream is not
 * closed: the process owns it.
 */
final class StreamLogSink implements LogSink {

  private final OutputStream out;

  StreamLogSink(OutputStream out) {
    this.out = out;
  }

  @Override
  public void deliver(List<LogLine> batch) throws IOException {
    for (LogLine line : batch) {
      out.write(line.json());
      out.write('\n');
    }
    out.flush();
  }

  @Override
  public void close() {
    try {
      out.flush();
    } catch (IOException e) {
      // nothing more to do
    }
  }
}
