package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Locale;

/**
 * The {@code Server-Timing} response header ({@code metrics.server-timing: true}): how long the
 * upstream took, from the request sent to the response head, and the gateway's own share of the
 * time until the response head left it. Durations are milliseconds with a fraction, as the W3C
 * Server Timing specification has them:
 *
 * <pre>
 *   Server-Timing: gateway;dur=0.412, upstream;dur=12.730
 * </pre>
 *
 * A response the gateway answers itself (a plugin's reply, an error) carries {@code gateway} only.
 * An upstream's own {@code Server-Timing} values are kept; the gateway's are added after them.
 */
public final class ServerTiming {

  public static final AsciiString NAME = AsciiString.cached("server-timing");

  private ServerTiming() {}

  /**
   * Adds the header to {@code headers}.
   *
   * @param elapsedNanos from the request head's arrival until now
   * @param upstreamNanos from the request sent upstream to the response head, or a negative value
   *     when no upstream answered
   */
  public static void add(HttpHeaders headers, long elapsedNanos, long upstreamNanos) {
    StringBuilder b = new StringBuilder(48);
    long gateway = upstreamNanos >= 0 ? Math.max(0, elapsedNanos - upstreamNanos) : elapsedNanos;
    b.append("gateway;dur=").append(millis(gateway));
    if (upstreamNanos >= 0) {
      b.append(", upstream;dur=").append(millis(upstreamNanos));
    }
    headers.add(NAME, b.toString());
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }
}
