package io.portico.observe.log;

import io.portico.observe.ExchangeRecord;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One access-log line, shared read-only by every sink.
 *
 * <p>The pipeline makes it on the exchange's event loop from the finished {@link ExchangeRecord}
 * (immutable; without its header maps, so that a queued line holds only what it shows) and, when
 * the line shows headers, a copy of their names and values; the JSON is built by the first sink
 * thread that asks for it ({@link #json}) and kept for the others. So the event loop only hands
 * over references.
 */
public final class LogLine {

  private final long epochMillis;
  private final int status;
  private final boolean failed;
  private final @Nullable ExchangeRecord record;
  private final String @Nullable [] requestHeaders;
  private final String @Nullable [] responseHeaders;
  private final @Nullable LineFormatter formatter;
  private volatile byte @Nullable [] json;

  /**
   * A line already formatted.
   *
   * @param epochMillis when the exchange started
   * @param status the response status (0 when none was sent)
   * @param failed whether the exchange ended with a failure code
   * @param json the line: one JSON object in UTF-8, without a line break
   */
  public LogLine(long epochMillis, int status, boolean failed, byte[] json) {
    this.epochMillis = epochMillis;
    this.status = status;
    this.failed = failed;
    this.record = null;
    this.requestHeaders = null;
    this.responseHeaders = null;
    this.formatter = null;
    this.json = json;
  }

  /**
   * A line formatted when a sink first asks for it.
   *
   * @param requestHeaders names and values in turn, or null (the record's headers are not read)
   * @param responseHeaders the same for the response's headers
   */
  LogLine(
      ExchangeRecord record,
      String @Nullable [] requestHeaders,
      String @Nullable [] responseHeaders,
      LineFormatter formatter) {
    this.epochMillis = record.startEpochMillis();
    this.status = record.status();
    // a plugin's refusal (its reason in failure) is an answer, not a failure of the gateway
    this.failed = record.failure() != null && record.repliedBy() == null;
    this.record = record;
    this.requestHeaders = requestHeaders;
    this.responseHeaders = responseHeaders;
    this.formatter = formatter;
  }

  /** When the exchange started. */
  public long epochMillis() {
    return epochMillis;
  }

  /** The response status (0 when none was sent). */
  public int status() {
    return status;
  }

  /**
   * Whether the exchange ended with a failure code of the gateway; a plugin's refusal with a reason
   * ({@code jwt_expired}) is not one.
   */
  public boolean failed() {
    return failed;
  }

  /**
   * The line: one JSON object in UTF-8, without a line break. Formatted on the first call (any
   * thread; concurrent first calls format the same bytes); do not modify the array.
   */
  public byte[] json() {
    byte[] j = json;
    if (j == null) {
      // a line made without its bytes always has its record and formatter
      j =
          Objects.requireNonNull(formatter)
              .format(Objects.requireNonNull(record), requestHeaders, responseHeaders);
      json = j;
    }
    return j;
  }

  /** Whether the exchange counts as an error: a status of 400 or more, or a failure. */
  public boolean error() {
    return failed || status >= 400;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogLine other
        && epochMillis == other.epochMillis
        && status == other.status
        && failed == other.failed
        && Arrays.equals(json(), other.json());
  }

  @Override
  public int hashCode() {
    return Long.hashCode(epochMillis) * 31 + Arrays.hashCode(json());
  }

  @Override
  public String toString() {
    return "LogLine[epochMillis="
        + epochMillis
        + ", status="
        + status
        + ", failed="
        + failed
        + ", json="
        + new String(json(), java.nio.charset.StandardCharsets.UTF_8)
        + "]";
  }
}
