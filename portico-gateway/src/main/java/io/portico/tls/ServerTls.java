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
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

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
      String mismatch = mismatch(c.certFile(), c.keyFile());
      if (mismatch != null) {
        failures.add(new LoadFailure(i, mismatch));
        continue;
      }
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

  /**
   * Why the key in {@code keyFile} is not the private key of the first certificate in {@code
   * certFile} (a signature made with it does not verify with the certificate's public key), or
   * null. TLS libraries load such a pair without a word and every handshake then fails; this finds
   * it at load time. Null too when the key is not an unencrypted PKCS#8 PEM key or the files cannot
   * be read as such: the TLS library's loading then reports what is wrong.
   */
  static @Nullable String mismatch(Path certFile, Path keyFile) {
    PublicKey certificateKey;
    byte[] der;
    try (InputStream in = Files.newInputStream(certFile)) {
      certificateKey =
          CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
      Matcher pem = PKCS8.matcher(Files.readString(keyFile, StandardCharsets.US_ASCII));
      if (!pem.find()) {
        return null;
      }
      der = Base64.getMimeDecoder().decode(pem.group(1));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      return null;
    }
    String algorithm = certificateKey.getAlgorithm();
    String signature =
        switch (algorithm) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519" -> "Ed25519";
          default -> null;
        };
    if (signature == null) {
      return null;
    }
    String notItsKey =
        "the private key in "
            + keyFile
            + " is not the key of the certificate in "
            + certFile
            + " (a certificate and its key are made together: check that the two files are a pair)";
    try {
      PrivateKey key;
      try {
        key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        return notItsKey + "; the certificate's key is " + algorithm + ", this one is not";
      }
      byte[] probe =
          "portico: does this key sign for this certificate?".getBytes(StandardCharsets.UTF_8);
      Signature sign = Signature.getInstance(signature);
      sign.initSign(key);
      sign.update(probe);
      byte[] signed = sign.sign();
      Signature verify = Signature.getInstance(signature);
      verify.initVerify(certificateKey);
      verify.update(probe);
      return verify.verify(signed) ? null : notItsKey;
    } catch (java.security.NoSuchAlgorithmException e) {
      return null;
    } catch (GeneralSecurityException e) {
      return notItsKey;
    }
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
