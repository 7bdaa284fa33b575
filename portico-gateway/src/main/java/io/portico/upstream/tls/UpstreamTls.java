package io.portico.upstream.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.portico.config.UpstreamTlsConfig;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * TLS to the endpoints of one service: one client {@link SslContext} (OpenSSL when available, the
 * JDK's provider otherwise) whose session cache lets new connections to an endpoint resume the
 * session of an earlier one, and an {@link SslHandler} per connection.
 *
 * <pre>
 *   connect ─▶ SslHandler (SNI = server name, ALPN http/1.1, or h2 for HTTP/2) ─▶ handshake
 *                 │ verify: chain to the CA bundle (or the system trust store)
 *                 │         and the certificate names the server name (endpoint identification)
 *                 ▼
 *   handshake done ─▶ the connection is leased;  failed ─▶ upstream_tls_failed, never plain
 * </pre>
 *
 * <p>The server name is {@code tls.server-name} when set, else the host the target was written with
 * (an IP literal is then checked against the certificate's IP addresses and sent without SNI).
 * Verification is on unless the configuration turns it off explicitly.
 *
 * <p>Built off the event loops when a snapshot is compiled (reading keys may block). Immutable and
 * shared by every event loop; two instances made from equal configurations are equal, so the pools
 * of a service survive a reload that leaves its TLS unchanged.
 */
public final class UpstreamTls {

  private final UpstreamTlsConfig config;
  private final List<String> alpn;
  private final SslContext context;

  private UpstreamTls(UpstreamTlsConfig config, List<String> alpn, SslContext context) {
    this.config = config;
    this.alpn = alpn;
    this.context = context;
  }

  /**
   * Loads the trust anchors and client certificate of {@code config}.
   *
   * @throws SSLException when a file cannot be read as what it should hold
   */
  public static UpstreamTls load(UpstreamTlsConfig config) throws SSLException {
    return load(config, List.of(ApplicationProtocolNames.HTTP_1_1));
  }

  /**
   * Loads {@code config} for connections that offer {@code alpn} in order of preference ({@code
   * h2}, or {@code h2} then {@code http/1.1}, for a service that speaks HTTP/2).
   *
   * @throws SSLException when a file cannot be read as what it should hold
   */
  public static UpstreamTls load(UpstreamTlsConfig config, List<String> alpn) throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
            .protocols(config.protocols())
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    alpn));
    try {
      if (config.verify()) {
        b.endpointIdentificationAlgorithm("HTTPS");
        if (config.ca() != null) {
          b.trustManager(config.ca().toFile());
        }
      } else {
        b.endpointIdentificationAlgorithm(null).trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      if (config.clientCert() != null && config.clientKey() != null) {
        b.keyManager(config.clientCert().toFile(), config.clientKey().toFile());
      }
      return new UpstreamTls(config, List.copyOf(alpn), b.build());
    } catch (IllegalArgumentException e) {
      throw new SSLException(e.getMessage(), e);
    }
  }

  public UpstreamTlsConfig config() {
    return config;
  }

  /** The name sent by SNI and verified for an endpoint written {@code authority} (host:port). */
  public String serverName(String authority) {
    if (config.serverName() != null) {
      return config.serverName();
    }
    if (authority.startsWith("[")) {
      return authority.substring(1, authority.indexOf(']'));
    }
    int colon = authority.lastIndexOf(':');
    return (colon < 0 ? authority : authority.substring(0, colon)).toLowerCase(Locale.ROOT);
  }

  /**
   * A handler for a new connection to {@code serverName} on {@code port}, failing the handshake
   * after {@code handshakeTimeoutMillis}. Connections to the same name and port may resume each
   * other's session.
   */
  public SslHandler newHandler(
      ByteBufAllocator alloc, String serverName, int port, long handshakeTimeoutMillis) {
    SslHandler handler = context.newHandler(alloc, serverName, port);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return handler;
  }

  /**
   * Puts a {@link #newHandler} first in a new connection's pipeline, named {@code tls}: the
   * handshake starts once the channel is active.
   */
  public void addTo(Channel ch, String serverName, int port, long handshakeTimeoutMillis) {
    ch.pipeline().addLast("tls", newHandler(ch.alloc(), serverName, port, handshakeTimeoutMillis));
  }

  /** The protocols offered by ALPN, most preferred first. */
  public List<String> alpn() {
    return alpn;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof UpstreamTls other && other.config.equals(config) && other.alpn.equals(alpn);
  }

  @Override
  public int hashCode() {
    return config.hashCode() * 31 + alpn.hashCode();
  }

  @Override
  public String toString() {
    return "UpstreamTls" + config;
  }
}
