package io.portico.config;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;

/**
 * Parses the top-level {@code limits} section into {@link LimitsConfig}: the sizes, counts and
 * timeouts that bound a client connection and its requests, HTTP/2's stream and frame limits, the
 * path policy and the caps on decoded response bodies; {@link LimitsConfig#DEFAULTS} for what is
 * absent.
 */
final class LimitsSection {

  private final SectionReaders in;
  private final Problems problems;

  LimitsSection(SectionReaders in) {
    this.in = in;
    this.problems = in.problems;
  }

  LimitsConfig parse(ConfigReader r) {
    LimitsConfig d = LimitsConfig.DEFAULTS;
    LimitsConfig limits =
        new LimitsConfig(
            in.intSize(r, "max-request-line", d.maxRequestLine(), 256),
            in.intSize(r, "max-header-size", d.maxHeaderSize(), 1024),
            r.integer("max-header-count", d.maxHeaderCount(), 1, 10_000),
            in.intSize(r, "max-header-field-size", d.maxHeaderFieldSize(), 256),
            r.integer("max-chunk-extensions", d.maxChunkExtensions(), 0, 1 << 20),
            in.intSize(r, "max-chunk-extensions-size", d.maxChunkExtensionsSize(), 0),
            r.size("max-body-size", d.maxBodySize()),
            in.positiveDuration(r, "header-timeout", d.headerTimeout()),
            in.positiveDuration(r, "body-timeout", d.bodyTimeout()),
            in.positiveDuration(r, "keep-alive-timeout", d.keepAliveTimeout()),
            r.integer("max-requests-per-connection", d.maxRequestsPerConnection(), 0, 1 << 30),
            r.integer(
                "http2-max-concurrent-streams",
                d.http2MaxConcurrentStreams(),
                1,
                Integer.MAX_VALUE),
            r.integer("http2-max-resets-per-window", d.http2MaxResetsPerWindow(), 1, 1 << 30),
            in.positiveDuration(r, "http2-reset-window", d.http2ResetWindow()),
            r.integer(
                "http2-max-control-frames-per-window",
                d.http2MaxControlFramesPerWindow(),
                1,
                1 << 30),
            in.positiveDuration(r, "http2-control-frame-window", d.http2ControlFrameWindow()),
            (int) r.size("http2-stream-window", d.http2StreamWindow(), 1024, 16L << 20),
            (int) r.size("http2-connection-window", d.http2ConnectionWindow(), 64 << 10, 1L << 30),
            r.oneOf("path-policy", d.pathPolicy(), LimitsConfig.PATH_POLICIES),
            r.size(
                "max-decoded-response-size",
                d.maxDecodedResponseSize(),
                1024,
                ConfigReader.MAX_SIZE),
            r.integer("max-decoding-ratio", d.maxDecodingRatio(), 0, 1 << 20));
    r.finish();
    return limits;
  }
}
