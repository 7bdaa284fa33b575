package io.portico.observe.log;

/**
 * One formatted access-log line, shared read-only by every sink.
 *
 * @param epochMillis when the exchange started
 * @param status the response status (0 when none was sent)
 * @param failed whether the exchange ended with a failure code
 * @param json the line: one JSON object in UTF-8, without a line break
 */
public record LogLine(long epochMillis, int status, boolean failed, byte[] json) {

  /** Whether the exchange counts as an error: a status of 400 or more, or a failure. */
  public boolean error() {
    return failed || status >= 400;
  }
}
