package io.portico.plugins.auth.token;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Keys written in config: an HMAC {@code secret} (UTF-8 text, or base64url with {@code
 * secret-encoding: base64url}) and a PEM {@code public-key} (RSA or EC, SubjectPublicKeyInfo). Each
 * becomes a JWK of its own type, so a key is only ever used with algorithms of its family.
 */
final class StaticKeys {

  static final String PEM_RULE = "a PEM public key (-----BEGIN PUBLIC KEY-----) of type RSA or EC";
  static final String SECRET_RULE = "an HMAC secret of at least 32 bytes";

  private StaticKeys() {}

  /** Reads {@code secret}, {@code secret-encoding} and {@code public-key}; null when neither. */
  static @Nullable JWKSet read(ConfigReader r) {
    List<JWK> keys = new ArrayList<>();
    ConfigNode secretNode = r.child("secret");
    String encoding = r.oneOf("secret-encoding", "utf8", List.of("utf8", "base64url"));
    if (secretNode != null) {
      byte[] secret =
          secretNode.isScalar()
              ? secret(secretNode.scalarText(), encoding.equals("base64url"))
              : null;
      if (secret == null || secret.length < 32) {
        r.problems().expected(secretNode, SECRET_RULE);
      } else {
        keys.add(new OctetSequenceKey.Builder(secret).build());
      }
    }
    ConfigNode pemNode = r.child("public-key");
    if (pemNode != null) {
      JWK key = pemNode.isScalar() ? publicKey(pemNode.scalarText()) : null;
      if (key == null) {
        r.problems().expected(pemNode, PEM_RULE);
      } else {
        keys.add(key);
      }
    }
    return keys.isEmpty() ? null : new JWKSet(keys);
  }

  static byte @Nullable [] secret(String text, boolean base64url) {
    if (!base64url) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return new Base64URL(text.trim()).decode();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** An RSA or EC public key from PEM; null when it is neither. */
  static @Nullable JWK publicKey(String pem) {
    String body =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (der.length == 0) {
      return null;
    }
    for (String type : List.of("RSA", "EC")) {
      try {
        PublicKey key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
        if (key instanceof RSAPublicKey rsa) {
          return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
          Curve curve = Curve.forECParameterSpec(ec.getParams());
          return curve == null ? null : new ECKey.Builder(curve, ec).build();
        }
      } catch (java.security.GeneralSecurityException e) {
        // not of this type: try the next
      }
    }
    return null;
  }
}
