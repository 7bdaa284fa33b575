package io.portico.plugins.auth.mtls;

import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthResult;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authentication;
import io.portico.plugins.auth.Authenticator;
import io.portico.plugins.auth.AuthenticatorFactory;
import io.portico.plugins.auth.Consumers;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.CredentialChecker;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * {@code mtls-auth}: authenticates a consumer by the client certificate of a TLS listener with
 * {@code client-auth} ({@link Exchange#sslSession()}). The listener has already verified the
 * certificate chain against its {@code client-ca} during the handshake; this plugin maps the
 * verified leaf certificate to a consumer, by its SHA-256 {@code fingerprint} or by a {@code
 * subject-name} equal to the subject's CN or one of its DNS, e-mail or URI subject alternative
 * names. A request without a certificate (plain text, or none sent) has no credential; a verified
 * certificate that maps to no consumer is invalid (401).
 */
public final class MtlsAuthFactory
    implements AuthenticatorFactory<MtlsAuthConfig>, CredentialChecker {

  static final String NAME = "mtls-auth";
  private static final Pattern FINGERPRINT =
      Pattern.compile("([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}");
  private static final String CREDENTIAL_RULE =
      "an object {subject-name: <CN or SAN>} or {fingerprint: <SHA-256 hex>}";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2400;
  }

  @Override
  public MtlsAuthConfig parse(ConfigReader config) {
    String realm = config.string("realm", "portico");
    AuthSettings auth = AuthSettings.parse(config);
    return new MtlsAuthConfig(realm, auth);
  }

  @Override
  public void checkCredentials(ConfigNode credentials, Problems problems) {
    readCredentials(credentials, problems);
  }

  /** A lookup key: {@code name:<subject name>} or {@code sha256:<hex>}. */
  private static List<String> readCredentials(ConfigNode node, Problems problems) {
    List<String> out = new ArrayList<>();
    for (ConfigNode item : Consumers.items(node, problems, CREDENTIAL_RULE)) {
      ConfigReader r = ConfigReader.of(item, problems);
      String subject = r.string("subject-name", null);
      ConfigNode fingerprint = r.child("fingerprint");
      r.finish();
      if ((subject == null) == (fingerprint == null)) {
        problems.expected(item, CREDENTIAL_RULE);
      } else if (subject != null) {
        out.add("name:" + subject.toLowerCase(Locale.ROOT));
      } else if (fingerprint.isScalar() && FINGERPRINT.matcher(fingerprint.text()).matches()) {
        out.add("sha256:" + fingerprint.scalarText().replace(":", "").toLowerCase(Locale.ROOT));
      } else {
        problems.expected(fingerprint, "a SHA-256 fingerprint: 64 hex digits, colons allowed");
      }
    }
    return out;
  }

  @Override
  public AuthSettings settings(MtlsAuthConfig config) {
    return config.auth();
  }

  @Override
  public Authenticator authenticator(MtlsAuthConfig config, PluginContext context) {
    Map<String, Identity> consumers =
        Consumers.index(
            Consumers.credentials(context, NAME, MtlsAuthFactory::readCredentials),
            lookupKey -> lookupKey,
            c -> Consumers.identity(c.consumer(), credentialId(c.value()), NAME, false),
            lookupKey -> NAME + " \"" + credentialId(lookupKey) + "\"",
            "every certificate mapped to one consumer");
    return new CertificateAuthenticator(consumers, config.realm());
  }

  /** The credential id of a lookup key: the subject name or fingerprint, without its prefix. */
  private static String credentialId(String lookupKey) {
    return lookupKey.substring(lookupKey.indexOf(':') + 1);
  }

  /** Maps the verified peer certificate to a consumer: fingerprint first, then names. */
  private static final class CertificateAuthenticator implements Authenticator {

    private final Map<String, Identity> consumers;
    private final String challenge;

    CertificateAuthenticator(Map<String, Identity> consumers, String realm) {
      this.consumers = consumers;
      this.challenge = "mTLS realm=" + Authentication.quote(realm);
    }

    @Override
    public AuthResult authenticate(Exchange exchange) {
      SSLSession session = exchange.sslSession();
      if (session == null) {
        return AuthResult.none();
      }
      Certificate[] chain;
      try {
        chain = session.getPeerCertificates();
      } catch (SSLPeerUnverifiedException e) {
        return AuthResult.none();
      }
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return AuthResult.none();
      }
      Identity identity = consumers.get("sha256:" + fingerprint(leaf));
      if (identity == null) {
        for (String name : names(leaf)) {
          identity = consumers.get("name:" + name.toLowerCase(Locale.ROOT));
          if (identity != null) {
            break;
          }
        }
      }
      return identity == null
          ? AuthResult.invalid(null, AuthFailure.CLIENT_CERTIFICATE_UNKNOWN)
          : new AuthResult.Authenticated(identity);
    }

    private static String fingerprint(X509Certificate certificate) {
      try {
        return HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
      } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
        return "";
      }
    }

    /** The subject's CN values, then its DNS (2), e-mail (1) and URI (6) alternative names. */
    private static List<String> names(X509Certificate certificate) {
      List<String> out = new ArrayList<>();
      try {
        for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            out.add(String.valueOf(rdn.getValue()));
          }
        }
      } catch (InvalidNameException e) {
        // no usable subject: only the alternative names count
      }
      try {
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        if (sans != null) {
          for (List<?> san : sans) {
            Object type = san.get(0);
            if (type instanceof Integer t && (t == 1 || t == 2 || t == 6)) {
              out.add(String.valueOf(san.get(1)));
            }
          }
        }
      } catch (CertificateParsingException e) {
        // unreadable alternative names: only the subject counts
      }
      return out;
    }

    @Override
    public AuthFailure missing() {
      return AuthFailure.CLIENT_CERTIFICATE_MISSING;
    }

    @Override
    public String challenge(@Nullable String error) {
      return challenge;
    }

    @Override
    public void hideCredentials(Exchange exchange) {}
  }
}
