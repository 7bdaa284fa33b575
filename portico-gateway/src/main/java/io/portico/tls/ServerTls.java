package io.portico.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.portico.config.TlsConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The compiled TLS setup of one listener: an {@link SslContext} per configured certificate and the
 * SNI mapping that picks one for each handshake.
 *
 * <pre>
 *   ClientHello ─▶ SniHandler ─ server name ─▶ mapping ─▶ SslContext ─▶ SslHandler (replaces it)
 *                               none or unknown ─▶ the first certificate
 * </pre>
 *
 * <p>Built off the event loops when a snapshot is compiled (start-up and reload), because reading
 * keys and creating contexts may block. Immutable and shared by every connection of the listener.
 * Contexts use OpenSSL (BoringSSL) when it is available, the JDK's provider otherwise, and offer
 * {@code h2} (when the listener offers HTTP/2) and {@code http/1.1} by ALPN. With {@code
 * client-auth}, client certificates are requested (or required) and must chain to {@code
 * client-ca}; a certificate that does not fails the handshake, so plugins only ever see verified
 * ones ({@link io.portico.spi.plugin.Exchange#sslSession()}).
 */
public final class ServerTls {

  /** A certificate that could not be loaded: its index in {@code tls.certificates} and why. */
  public record LoadFailure(int certificate, String reason) {}

  /** The compiled setup, or null with the failures that prevented it. */
  public record Result(@Nullable ServerTls tls, List<LoadFailure> failures) {}

  private final Mapping<String, SslContext> mapping;

  private ServerTls(Mapping<String, SslContext> mapping) {
    this.mapping = mapping;
  }

  /** Loads every certificate of {@code config}; reports each one that fails. */
  public static Result load(TlsConfig config, boolean http2) {
    SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    List<SslContext> contexts = new ArrayList<>();
    List<LoadFailure> failures = new ArrayList<>();
    for (int i = 0; i < config.certificates().size(); i++) {
      TlsConfig.Certificate c = config.certificates().get(i);
      try {
        contexts.add(
            SslContextBuilder.forServer(c.certFile().toFile(), c.keyFile().toFile())
                .sslProvider(provider)
                .protocols(config.protocols())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(alpn(http2))
                .clientAuth(clientAuth(config.clientAuth()))
                .trustManager(config.clientCa() == null ? null : config.clientCa().toFile())
                .build());
      } catch (SSLException | IllegalArgumentException e) {
        failures.add(new LoadFailure(i, describe(e)));
      }
    }
    if (!failures.isEmpty()) {
      return new Result(null, List.copyOf(failures));
    }
    DomainWildcardMappingBuilder<SslContext> names =
        new DomainWildcardMappingBuilder<>(contexts.get(0));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < contexts.size(); i++) {
      for (String name : config.certificates().get(i).serverNames()) {
        // A name listed under two certificates is served with the first.
        if (seen.add(name.toLowerCase(Locale.ROOT))) {
          names.add(name, contexts.get(i));
        }
      }
    }
    return new Result(new ServerTls(names.build()), List.of());
  }

  private static ClientAuth clientAuth(TlsConfig.ClientAuth clientAuth) {
    return switch (clientAuth) {
      case NONE -> ClientAuth.NONE;
      case OPTIONAL -> ClientAuth.OPTIONAL;
      case REQUIRE -> ClientAuth.REQUIRE;
    };
  }

  private static ApplicationProtocolConfig alpn(boolean http2) {
    List<String> protocols = new ArrayList<>(2);
    if (http2) {
      protocols.add(ApplicationProtocolNames.HTTP_2);
    }
    protocols.add(ApplicationProtocolNames.HTTP_1_1);
    return new ApplicationProtocolConfig(
        ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        protocols);
  }

  private static String describe(Exception e) {
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      out.append(": ").append(c.getMessage());
    }
    return out.toString();
  }

  /**
   * A new handler for one connection: it reads the ClientHello, picks the certificate by server
   * name and replaces itself with the {@link io.netty.handler.ssl.SslHandler}. Both the wait for
   * the ClientHello and the handshake are bounded by {@code handshakeTimeoutMillis}.
   */
  public SniHandler newHandler(long handshakeTimeoutMillis) {
    return new SniHandler(mapping, handshakeTimeoutMillis);
  }
}
