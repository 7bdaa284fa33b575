package io.portico.config;

import java.time.Duration;
import java.util.List;

/**
 * Protocol limits for client connections; defaults are documented beside nginx's and Envoy's in
 * {@code docs/configuration.md}.
 *
 * @param maxRequestLine longest request line (method, target, version); beyond it 414
 * @param maxHeaderSize total size of the request headers; beyond it 431
 * @param maxHeaderCount most request header fields; beyond it 431
 * @param maxHeaderFieldSize longest single request header field (name, colon and value); beyond it
 *     431
 * @param maxChunkExtensions most chunk extensions ({@code ;name=value} after a chunk size) in one
 *     chunked request body; beyond it 400
 * @param maxChunkExtensionsSize most bytes of chunk extensions in one chunked request body; beyond
 *     it 400
 * @param maxBodySize largest request body; beyond it 413 (0 = unlimited)
 * @param headerTimeout absolute deadline to receive a complete request head from the first byte
 * @param bodyTimeout absolute deadline to receive the whole request body, from the head; beyond it
 *     408
 * @param keepAliveTimeout how long an idle client connection is kept open
 * @param maxRequestsPerConnection requests served on one connection before it is closed (0 =
 *     unlimited)
 * @param http2MaxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS offered to clients
 * @param http2MaxResetsPerWindow stream resets a client may send, and resets for errors the gateway
 *     may send, per {@code http2ResetWindow} before the connection is closed (rapid-reset and
 *     "MadeYouReset" protection)
 * @param http2ResetWindow the window of {@code http2MaxResetsPerWindow}
 * @param http2MaxControlFramesPerWindow PING, SETTINGS, PRIORITY and extension frames a client may
 *     send per {@code http2ControlFrameWindow} before the connection is closed
 * @param http2ControlFrameWindow the window of {@code http2MaxControlFramesPerWindow}
 * @param http2StreamWindow the receive window of each client stream ({@code
 *     SETTINGS_INITIAL_WINDOW_SIZE}): request body bytes a client may send on one stream before the
 *     gateway has taken them
 * @param http2ConnectionWindow the receive window of a client connection, all its streams together:
 *     at most this many request body bytes wait in the gateway per connection
 * @param pathPolicy {@code strict} to refuse with 400 the paths common upstream servers read as
 *     another path than the router (matrix parameters, a dot or whitespace at a segment's end,
 *     letter-case variants of a route's path); {@code off} to route them as they are
 * @param maxDecodedResponseSize most bytes an encoded ({@code gzip}, {@code deflate}) upstream
 *     response body may inflate to when plugins transform it; beyond it 502
 * @param maxDecodingRatio most decoded bytes per encoded byte of such a body, checked once more
 *     than {@link #RATIO_FLOOR} bytes are decoded; beyond it 502 (0 = no ratio limit)
 */
public record LimitsConfig(
    int maxRequestLine,
    int maxHeaderSize,
    int maxHeaderCount,
    int maxHeaderFieldSize,
    int maxChunkExtensions,
    int maxChunkExtensionsSize,
    long maxBodySize,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration keepAliveTimeout,
    int maxRequestsPerConnection,
    int http2MaxConcurrentStreams,
    int http2MaxResetsPerWindow,
    Duration http2ResetWindow,
    int http2MaxControlFramesPerWindow,
    Duration http2ControlFrameWindow,
    int http2StreamWindow,
    int http2ConnectionWindow,
    String pathPolicy,
    long maxDecodedResponseSize,
    int maxDecodingRatio) {

  /**
   * Decoded bytes below which {@code maxDecodingRatio} is not checked (small bodies compress well).
   */
  public static final int RATIO_FLOOR = 1024 * 1024;

  /** HTTP/2's initial window, stream and connection, before any SETTINGS or WINDOW_UPDATE. */
  public static final int HTTP2_DEFAULT_WINDOW = 65_535;

  /** The values of {@code limits.path-policy}. */
  public static final List<String> PATH_POLICIES = List.of("strict", "off");

  public static final LimitsConfig DEFAULTS =
      new LimitsConfig(
          8192,
          32 * 1024,
          100,
          8 * 1024,
          128,
          8 * 1024,
          8L * 1024 * 1024,
          Duration.ofSeconds(10),
          Duration.ofSeconds(120),
          Duration.ofSeconds(75),
          0,
          100,
          200,
          Duration.ofSeconds(30),
          1000,
          Duration.ofSeconds(10),
          HTTP2_DEFAULT_WINDOW,
          1024 * 1024,
          "strict",
          64L * 1024 * 1024,
          200);

  /** Whether the strict path policy is on. */
  public boolean strictPaths() {
    return pathPolicy.equals("strict");
  }
}
