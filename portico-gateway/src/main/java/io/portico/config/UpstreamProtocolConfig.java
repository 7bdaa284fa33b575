package io.portico.config;

import java.time.Duration;
import java.util.Locale;

/**
 * The protocol a service speaks to its endpoints, and the settings of its HTTP/2 connections.
 *
 * @param protocol HTTP/1.1, HTTP/2 in the clear with prior knowledge, HTTP/2 over TLS chosen by
 *     ALPN, or whichever the TLS server chooses by ALPN
 * @param pingInterval how long an HTTP/2 connection may stay silent before a PING is sent
 * @param pingTimeout how long a PING may go unanswered before the connection is closed
 * @param maxConcurrentStreams most streams opened on one HTTP/2 connection, at most the peer's
 *     {@code SETTINGS_MAX_CONCURRENT_STREAMS}
 * @param replayBuffer most bytes of a request body kept while it streams, so that a stream the
 *     upstream refused unprocessed ({@code GOAWAY}, {@code REFUSED_STREAM}) can be sent again on
 *     another connection; a longer body is not kept and such a request fails
 * @param maxControlFrames most PING (beyond those the gateway's DATA frames allow), SETTINGS,
 *     PRIORITY and extension frames an upstream may send on one connection per {@code
 *     controlFrameWindow}; more end the connection with GOAWAY {@code ENHANCE_YOUR_CALM}
 * @param controlFrameWindow the window of {@code maxControlFrames}
 */
public record UpstreamProtocolConfig(
    Protocol protocol,
    Duration pingInterval,
    Duration pingTimeout,
    int maxConcurrentStreams,
    long replayBuffer,
    int maxControlFrames,
    Duration controlFrameWindow) {

  /** The default {@code http2.replay-buffer}: 64 KiB. */
  public static final long DEFAULT_REPLAY_BUFFER = 64 * 1024;

  public static final UpstreamProtocolConfig DEFAULTS =
      new UpstreamProtocolConfig(
          Protocol.HTTP1,
          Duration.ofSeconds(30),
          Duration.ofSeconds(10),
          1000,
          DEFAULT_REPLAY_BUFFER,
          1000,
          Duration.ofSeconds(10));

  /** The protocols a service may speak upstream, by their config names. */
  public enum Protocol {
    HTTP1,
    H2C,
    H2,
    AUTO;

    /** Its name in the config: {@code http1}, {@code h2c}, {@code h2}, {@code auto}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether connections start as HTTP/2 (h2c) or may become HTTP/2 by ALPN (h2, auto). */
    public boolean http2() {
      return this != HTTP1;
    }
  }

  public boolean http2() {
    return protocol.http2();
  }
}
