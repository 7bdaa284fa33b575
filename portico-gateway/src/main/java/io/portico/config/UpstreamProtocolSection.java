package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Parses a service's {@code protocol} and {@code http2} keys into an {@link
 * UpstreamProtocolConfig}, recording every problem with its position: an unknown protocol, {@code
 * h2} or {@code auto} without TLS, {@code h2c} with TLS, HTTP/2 settings on an HTTP/1.1 service,
 * settings out of range (such as a {@code replay-buffer} over 64 MiB).
 */
final class UpstreamProtocolSection {

  private static final List<String> NAMES =
      Arrays.stream(UpstreamProtocolConfig.Protocol.values())
          .map(UpstreamProtocolConfig.Protocol::configName)
          .toList();

  private final Problems problems;

  UpstreamProtocolSection(Problems problems) {
    this.problems = problems;
  }

  /**
   * The protocol of {@code service}, whose TLS (null when plain) is {@code tls}; the defaults
   * (HTTP/1.1) when it names none.
   */
  UpstreamProtocolConfig parse(ConfigReader service, @Nullable UpstreamTlsConfig tls) {
    UpstreamProtocolConfig d = UpstreamProtocolConfig.DEFAULTS;
    String name = service.oneOf("protocol", d.protocol().configName(), NAMES);
    UpstreamProtocolConfig.Protocol protocol =
        UpstreamProtocolConfig.Protocol.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    ConfigNode protocolNode = service.child("protocol");
    if (protocolNode != null) {
      if (tls == null
          && (protocol == UpstreamProtocolConfig.Protocol.H2
              || protocol == UpstreamProtocolConfig.Protocol.AUTO)) {
        problems.at(
            protocolNode,
            "protocol: "
                + name
                + " without TLS (expected: a tls section or https:// targets, or protocol: h2c)");
      } else if (tls != null && protocol == UpstreamProtocolConfig.Protocol.H2C) {
        problems.at(
            protocolNode, "protocol: h2c with TLS (expected: h2 or auto for HTTP/2 over TLS)");
      }
    }
    ConfigNode node = service.child("http2");
    if (node == null) {
      return protocol == d.protocol()
          ? d
          : new UpstreamProtocolConfig(
              protocol,
              d.pingInterval(),
              d.pingTimeout(),
              d.maxConcurrentStreams(),
              d.replayBuffer(),
              d.maxControlFrames(),
              d.controlFrameWindow());
    }
    if (!protocol.http2()) {
      problems.at(
          node, "http2 settings on an HTTP/1.1 service (expected: protocol h2c, h2 or auto)");
    }
    if (!node.isObject()) {
      problems.expected(
          node,
          "an object with ping-interval, ping-timeout, max-concurrent-streams, replay-buffer,"
              + " max-control-frames-per-window, control-frame-window");
      return d;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    Duration pingInterval =
        r.duration(
            "ping-interval", d.pingInterval(), Duration.ofSeconds(1), ConfigReader.MAX_DURATION);
    Duration pingTimeout =
        r.duration("ping-timeout", d.pingTimeout(), Duration.ofMillis(100), Duration.ofMinutes(10));
    int maxStreams =
        r.integer("max-concurrent-streams", d.maxConcurrentStreams(), 1, Integer.MAX_VALUE);
    long replayBuffer = r.size("replay-buffer", d.replayBuffer(), 0, 64L * 1024 * 1024);
    int maxControlFrames =
        r.integer("max-control-frames-per-window", d.maxControlFrames(), 1, 1 << 30);
    Duration controlFrameWindow =
        r.duration(
            "control-frame-window",
            d.controlFrameWindow(),
            Duration.ofSeconds(1),
            Duration.ofHours(1));
    r.finish();
    return new UpstreamProtocolConfig(
        protocol,
        pingInterval,
        pingTimeout,
        maxStreams,
        replayBuffer,
        maxControlFrames,
        controlFrameWindow);
  }
}
